import { BerthError } from './errors.ts';

/** Credentials as the AWS SDK accepts them: static keys or a provider. */
export type AwsCredentialsInput =
  | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | (() => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>);

/** Options shared by every Berth function that creates AWS clients. */
export interface AwsClientOptions {
  /** Region; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Endpoint override; by default the SDK reads `AWS_ENDPOINT_URL[_<SERVICE>]` itself. */
  endpoint?: string;
  /** Credentials; by default the SDK's credential chain (env, OIDC web identity, ...). */
  credentials?: AwsCredentialsInput;
  /** Attempts per call including the first (default 5, adaptive retry mode). */
  maxAttempts?: number;
}

/** Error for a missing region: the one piece of AWS configuration the SDK cannot guess. */
export class AwsConfigError extends BerthError<'E_AWS_CONFIG'> {
  override readonly name = 'AwsConfigError';
}

/** The configuration object every SDK v3 client of Berth is built with. */
export interface AwsClientConfig {
  region: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  endpoint?: string;
  credentials?: AwsCredentialsInput;
}

/**
 * Builds an SDK v3 client configuration: region from options or the environment, adaptive
 * retries, and the SDK's own endpoint and credential resolution unless overridden.
 *
 * @throws AwsConfigError when no region is given or set in the environment.
 */
export function awsClientConfig(
  options: AwsClientOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): AwsClientConfig {
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) {
    throw new AwsConfigError(
      'E_AWS_CONFIG',
      'no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or pass --region / the region option',
      { exitCode: 2 },
    );
  }
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/** The parts of an AWS SDK error Berth reports and branches on. */
export interface AwsErrorInfo {
  /** The AWS error code, e.g. `PriorityInUse`, `ResourceNotFoundException`. */
  code: string;
  message: string;
  /** HTTP status when known. */
  status?: number;
  /** Whether the SDK (or AWS) marked it retryable or it is a throttle/5xx. */
  retryable: boolean;
  /** True when the failure happened before AWS answered (DNS, connection, timeout). */
  network: boolean;
}

const THROTTLE = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

/** Reads an error thrown by an SDK v3 client (or anything else) into {@link AwsErrorInfo}. */
export function awsErrorInfo(error: unknown): AwsErrorInfo {
  const e = (error ?? {}) as {
    name?: string;
    Code?: string;
    code?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
    $fault?: string;
  };
  const code = e.Code ?? e.name ?? e.code ?? 'UnknownError';
  const status = e.$metadata?.httpStatusCode;
  const network =
    status === undefined &&
    typeof e.code === 'string' &&
    /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EPIPE|UND_ERR)/.test(e.code);
  const retryable =
    Boolean(e.$retryable) ||
    THROTTLE.has(code) ||
    (status !== undefined && status >= 500) ||
    network ||
    code === 'TimeoutError';
  return {
    code,
    message: e.message ?? String(error),
    ...(status === undefined ? {} : { status }),
    retryable,
    network,
  };
}

/** True when `error` is an AWS error with one of the given codes. */
export function isAwsError(error: unknown, ...codes: string[]): boolean {
  if (error === null || typeof error !== 'object') return false;
  return codes.includes(awsErrorInfo(error).code);
}
