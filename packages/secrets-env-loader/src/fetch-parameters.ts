import {
  GetParametersByPathCommand,
  GetParametersCommand,
  type GetParametersCommandOutput,
  type Parameter,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import {
  awsErrorInfo,
  awsFailure,
  backoffDelay,
  type Clock,
  chunk,
  collectAll,
  mapLimit,
} from '@berth/internal';
import type { SecretFailure } from './errors.ts';
import { parameterNameOfArn } from './source-id.ts';

/** One SSM parameter as read (the value is never logged). */
export interface ParameterValue {
  /** Full parameter name (`/app/prod/DB_URL`). */
  name: string;
  arn: string;
  type: 'String' | 'StringList' | 'SecureString';
  /** The value; a StringList stays comma-joined, as SSM stores it. */
  value: string;
  version?: number;
}

/** A parameter's value, or why it could not be read. */
export type ParameterResult =
  | { ok: true; value: ParameterValue }
  | { ok: false; failure: SecretFailure };

/** What the SSM reads need besides the client. */
export interface ParameterReadOptions {
  /** `true`: decrypt SecureString values (loading); `false`: names and ARNs only (ECS lists). */
  decrypt: boolean;
  clock: Clock;
  signal?: AbortSignal | undefined;
  log: (message: string) => void;
}

/** GetParameters takes at most 10 names per call. */
export const PARAMETERS_PER_CALL = 10;
/** GetParametersByPath returns at most 10 parameters per page. */
export const PARAMETERS_PER_PAGE = 10;
/** GetParameters calls in flight at once (its default quota is 40 per second, shared with GetParameter). */
const GET_CONCURRENCY = 8;
/** Attempts of one SSM call while it is throttled (the SDK's own retries come first). */
const THROTTLE_ATTEMPTS = 8;

const THROTTLED = /Throttl|TooManyRequests|RequestLimitExceeded|RateExceeded/;

/**
 * Runs one SSM call, waiting and trying again while SSM answers with throttling (the path
 * API's quota is far below GetParameters'): exponential backoff with jitter, on the given
 * clock, up to {@link THROTTLE_ATTEMPTS} attempts.
 */
export async function retryThrottled<T>(
  what: string,
  call: () => Promise<T>,
  options: Pick<ParameterReadOptions, 'clock' | 'signal' | 'log'>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const { code } = awsErrorInfo(error);
      if (!THROTTLED.test(code) || attempt + 1 >= THROTTLE_ATTEMPTS || options.signal?.aborted) {
        throw error;
      }
      const delay = backoffDelay(attempt, { baseMs: 250, maxMs: 5_000 });
      options.log(`${what}: throttled (${code}); trying again in ${delay} ms`);
      await options.clock.sleep(delay, options.signal);
    }
  }
}

function toValue(p: Parameter): ParameterValue | undefined {
  if (p.Name === undefined || p.Value === undefined) return undefined;
  const type = p.Type === 'SecureString' || p.Type === 'StringList' ? p.Type : 'String';
  return {
    name: p.Name.startsWith('arn:') ? parameterNameOfArn(p.Name) : p.Name,
    arn: p.ARN ?? p.Name,
    type,
    value: p.Value,
    ...(p.Version === undefined ? {} : { version: p.Version }),
  };
}

/** The failure of a whole SSM call, in words, with the permission it needs. */
export function parameterFailure(
  id: string,
  error: unknown,
  action: 'ssm:GetParameters' | 'ssm:GetParametersByPath',
): SecretFailure {
  const info = awsErrorInfo(error);
  const f = awsFailure(error, { doing: 'read it', iamActions: [action] });
  const reason = f.message.replace(/^could not read it: /, '');
  if (f.accessDenied || /KMS|Kms/.test(info.code) || /kms:/i.test(info.message)) {
    return {
      secretId: id,
      code: 'E_ACCESS_DENIED',
      reason: `access denied: allow ${action} on it (and kms:Decrypt on the key of a SecureString) (${info.code}: ${info.message.replace(/\s+/g, ' ')})`,
    };
  }
  if (info.code === 'ParameterNotFound' || info.code === 'ParameterVersionNotFound') {
    return { secretId: id, code: 'E_NOT_FOUND', reason: `not found (${reason})` };
  }
  return { secretId: id, code: 'E_AWS', reason };
}

/** True when a requested name (or ARN) is the parameter an answer describes. */
function sameParameter(requested: string, value: ParameterValue): boolean {
  if (requested === value.name || requested === value.arn) return true;
  return requested.startsWith('arn:') && parameterNameOfArn(requested) === value.name;
}

/**
 * Reads single parameters with GetParameters, 10 names per call, calls in parallel. Names
 * SSM reports in `InvalidParameters` fail as not found. A chunk whose whole call fails
 * (access denied on one name, a key that cannot decrypt) is read one name at a time, so the
 * failure names the parameter. Never throws: each name gets a value or a failure.
 */
export async function getParameters(
  client: SSMClient,
  names: readonly string[],
  options: ParameterReadOptions,
): Promise<Map<string, ParameterResult>> {
  const results = new Map<string, ParameterResult>();
  const unique = [...new Set(names)];
  const chunks = chunk(unique, PARAMETERS_PER_CALL);
  const readChunk = async (names: readonly string[]): Promise<void> => {
    let answer: GetParametersCommandOutput;
    try {
      answer = await retryThrottled(
        'GetParameters',
        () =>
          client.send(
            new GetParametersCommand({ Names: [...names], WithDecryption: options.decrypt }),
            options.signal ? { abortSignal: options.signal } : {},
          ),
        options,
      );
    } catch (error) {
      const { code } = awsErrorInfo(error);
      if (
        names.length > 1 &&
        !THROTTLED.test(code) &&
        !awsErrorInfo(error).network &&
        !options.signal?.aborted
      ) {
        options.log(
          `GetParameters failed for ${names.length} parameters (${code}); reading them one by one to name the failing one`,
        );
        await mapLimit(names, GET_CONCURRENCY, (name) => readChunk([name]));
        return;
      }
      for (const name of names) {
        results.set(name, {
          ok: false,
          failure: parameterFailure(name, error, 'ssm:GetParameters'),
        });
      }
      return;
    }
    options.log(`GetParameters: ${names.length} parameter(s) in one call`);
    const values = (answer.Parameters ?? []).map(toValue).filter((v) => v !== undefined);
    const invalid = new Set(answer.InvalidParameters ?? []);
    for (const name of names) {
      const value = values.find((v) => sameParameter(name, v));
      if (value) {
        results.set(name, { ok: true, value });
        continue;
      }
      results.set(name, {
        ok: false,
        failure: {
          secretId: name,
          code: 'E_NOT_FOUND',
          reason: invalid.has(name)
            ? 'no such parameter (check the name, the region and the account; for every parameter under a path, end it with / or /*)'
            : 'GetParameters returned neither the parameter nor an error for it',
        },
      });
    }
  };
  await mapLimit(chunks, GET_CONCURRENCY, readChunk);
  return results;
}

/**
 * Every parameter under `path` (ending in `/`), recursively, following GetParametersByPath
 * pages (10 parameters each) one after another, sorted by name. Throws the SDK error of a
 * page that fails after throttling retries.
 */
export async function getParametersByPath(
  client: SSMClient,
  path: string,
  options: ParameterReadOptions,
): Promise<ParameterValue[]> {
  const found = new Map<string, ParameterValue>();
  let pages = 0;
  // The API takes the path without its final slash; names under it start with the slash.
  const apiPath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const all = await collectAll(async (token) => {
    const page = await retryThrottled(
      'GetParametersByPath',
      () =>
        client.send(
          new GetParametersByPathCommand({
            Path: apiPath,
            Recursive: true,
            WithDecryption: options.decrypt,
            MaxResults: PARAMETERS_PER_PAGE,
            ...(token ? { NextToken: token } : {}),
          }),
          options.signal ? { abortSignal: options.signal } : {},
        ),
      options,
    );
    pages++;
    return { items: page.Parameters ?? [], next: page.NextToken || undefined };
  });
  for (const p of all) {
    const value = toValue(p);
    if (value?.name.startsWith(path)) found.set(value.name, value);
  }
  options.log(`GetParametersByPath ${path}: ${found.size} parameter(s) in ${pages} page(s)`);
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
