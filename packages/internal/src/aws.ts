import { parseDuration } from './duration.ts';
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
  /**
   * Time limit of one attempt of a call, in ms: to connect, and to get the answer. Default
   * `BERTH_AWS_TIMEOUT` (a duration such as `30s` or `2m`), then 30 000. A call that times
   * out is retried like any transient failure, so one call takes at most about
   * `maxAttempts` × this (plus the SDK's backoff between attempts).
   */
  timeoutMs?: number;
}

/** The default time limit of one attempt of an AWS call. */
export const DEFAULT_AWS_TIMEOUT_MS = 30_000;

/** Error for a missing region or a bad `BERTH_AWS_TIMEOUT`: bad AWS configuration, exit 2. */
export class AwsConfigError extends BerthError<'E_AWS_CONFIG'> {
  override readonly name = 'AwsConfigError';
}

/**
 * Options of the SDK's `NodeHttpHandler` (the client builds the handler from them): every
 * attempt of every call is bounded in time.
 */
export type AwsRequestHandlerOptions = {
  /** Time to establish the connection. */
  connectionTimeout: number;
  /** Time from sending the request to the answer's headers. */
  requestTimeout: number;
  /** Inactivity on the socket while the answer streams in. */
  socketTimeout: number;
  /** Without it the SDK only logs a warning when `requestTimeout` passes. */
  throwOnRequestTimeout: true;
};

/** The configuration object every SDK v3 client of Berth is built with. */
export interface AwsClientConfig {
  region: string;
  retryMode: 'adaptive';
  maxAttempts: number;
  requestHandler: AwsRequestHandlerOptions;
  endpoint?: string;
  credentials?: AwsCredentialsInput;
}

/**
 * The time limit of one attempt: `options.timeoutMs`, else `BERTH_AWS_TIMEOUT`, else 30 s.
 *
 * @throws AwsConfigError (exit 2) when `BERTH_AWS_TIMEOUT` is not a positive duration.
 */
export function awsTimeoutMs(
  options: Pick<AwsClientOptions, 'timeoutMs'> = {},
  env: NodeJS.ProcessEnv = process.env,
): number {
  if (options.timeoutMs !== undefined) {
    if (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0) {
      throw new AwsConfigError(
        'E_AWS_CONFIG',
        `timeoutMs: ${options.timeoutMs} is not a positive number of milliseconds`,
        { exitCode: 2 },
      );
    }
    return Math.ceil(options.timeoutMs);
  }
  const raw = env.BERTH_AWS_TIMEOUT;
  if (raw === undefined || raw.trim() === '') return DEFAULT_AWS_TIMEOUT_MS;
  let ms: number;
  try {
    ms = parseDuration(raw, 'BERTH_AWS_TIMEOUT');
  } catch (error) {
    throw new AwsConfigError('E_AWS_CONFIG', (error as Error).message, {
      exitCode: 2,
      cause: error,
    });
  }
  if (ms <= 0) {
    throw new AwsConfigError(
      'E_AWS_CONFIG',
      'BERTH_AWS_TIMEOUT: must be more than 0 (a duration such as 30s or 2m)',
      { exitCode: 2 },
    );
  }
  return ms;
}

/**
 * Builds an SDK v3 client configuration: region from options or the environment, adaptive
 * retries, a time limit on every attempt ({@link awsTimeoutMs}: connection, answer, and
 * socket inactivity), and the SDK's own endpoint and credential resolution unless overridden.
 *
 * @throws AwsConfigError (exit 2) when no region is given or set in the environment, or
 *   `BERTH_AWS_TIMEOUT` is not a duration.
 * @example
 * ```ts
 * const ec2 = new EC2Client(awsClientConfig({ region: 'eu-west-1', timeoutMs: 10_000 }));
 * ```
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
  const timeout = awsTimeoutMs(options, env);
  return {
    region,
    retryMode: 'adaptive',
    maxAttempts: options.maxAttempts ?? 5,
    requestHandler: {
      connectionTimeout: timeout,
      requestTimeout: timeout,
      socketTimeout: timeout,
      throwOnRequestTimeout: true,
    },
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
  // Node's network errors are plain `Error`s whose `code` (ECONNRESET, ...) says what happened.
  const name = e.name === 'Error' && typeof e.code === 'string' ? undefined : e.name;
  const code = e.Code ?? name ?? e.code ?? 'UnknownError';
  const status = e.$metadata?.httpStatusCode;
  const network =
    status === undefined &&
    ((typeof e.code === 'string' &&
      /^(ECONN|ENOTFOUND|EAI_|ETIMEDOUT|EPIPE|UND_ERR)/.test(e.code)) ||
      e.name === 'TimeoutError');
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
