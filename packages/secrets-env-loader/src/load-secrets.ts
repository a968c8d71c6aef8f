import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorInfo, type Clock, quoteInput, systemClock } from '@berth/internal';
import { failureFromError } from './aws-failure.ts';
import { type ClientOptions, withAwsClients } from './client.ts';
import { type SecretFailure, SecretsEnvError } from './errors.ts';
import { type ExpandedVariable, expandSecret } from './expand.ts';
import {
  getParameters,
  getParametersByPath,
  type ParameterReadOptions,
  type ParameterValue,
  parameterFailure,
} from './fetch-parameters.ts';
import { type FetchRequest, fetchSecrets } from './fetch-secrets.ts';
import { type ListedSecret, listSecretsByPrefix } from './list-secrets.ts';
import { isValidVariableName, type NameTransform } from './names.ts';
import { checkVersion } from './secret-id.ts';
import type { SecretValue } from './secret-value.ts';
import { type ParsedSource, parseSourceId, sourceScheme } from './source-id.ts';

/** One secret or parameter (or set of them) to load. */
export interface SecretRequest {
  /**
   * A Secrets Manager secret name, ARN, or name prefix ending in `*` (at least 3 characters
   * before it), optionally after `sm:`; or an SSM parameter: `ssm:/app/prod/DB_URL` (one
   * parameter, or its ARN), `ssm:/app/prod/` or `ssm:/app/prod/*` (every parameter under
   * the path, recursively).
   */
  id: string;
  /**
   * Name of a plain value's variable, or prefix of a JSON secret's variables (`APP` gives
   * `APP_DB_HOST`). With a prefix set or an SSM path it prefixes every variable found.
   */
  alias?: string;
  /** Read this staging label (e.g. `AWSPREVIOUS`) instead of `AWSCURRENT` (Secrets Manager only). */
  versionStage?: string;
  /** Read this version; not with `versionStage`, not with a prefix set (Secrets Manager only). */
  versionId?: string;
  /**
   * `true`: the value must be a JSON object (else `E_NOT_JSON`) and is expanded; `false`:
   * never expand it; absent (default): a Secrets Manager secret is expanded when it is a
   * JSON object, an SSM parameter only with `expandJson`.
   */
  json?: boolean;
}

/** Where one variable came from. */
export interface VariableSource {
  /** The id as requested (for a prefix set or SSM path, the set's id). */
  secretId: string;
  /** `secretsmanager` or `ssm` (SSM Parameter Store). */
  store: 'secretsmanager' | 'ssm';
  /** Name of the secret (or SSM parameter) that holds the value. */
  secretName: string;
  /** Full ARN of that secret (or parameter). */
  secretArn: string;
  /** Version read, when the store reported it (an SSM parameter's version number as text). */
  versionId?: string;
  /** SSM parameter type: `String`, `StringList` (comma-joined) or `SecureString`. */
  parameterType?: 'String' | 'StringList' | 'SecureString';
  /** JSON key path of the value inside the secret; absent for a whole-value variable. */
  jsonPath?: readonly string[];
}

/** Options of {@link loadSecrets}. */
export interface LoadSecretsOptions extends ClientOptions {
  /** Sources to load, in order (later ones win conflicts with `onConflict: 'last-wins'`). */
  secrets: readonly (SecretRequest | string)[];
  /** `upper` (default) upper-cases names; `none` keeps the keys' spelling. */
  nameTransform?: NameTransform;
  /** `error` (default): two sources for one variable fail the load; `last-wins`: the later wins. */
  onConflict?: 'error' | 'last-wins';
  /**
   * Expand SSM parameters whose value is a JSON object key by key, as Secrets Manager
   * secrets are (default `false`: SSM values are usually plain).
   */
  expandJson?: boolean;
  /** Progress lines (ids, counts, calls; never values), e.g. for `--verbose`. */
  log?: (message: string) => void;
  /** Stops the AWS calls in flight (they reject) when it aborts. */
  signal?: AbortSignal;
  /** Clock for waits between throttled SSM calls (tests inject one). */
  clock?: Clock;
}

/** What {@link loadSecrets} returns. */
export interface LoadedSecrets {
  /** Variable name -> value, in load order. */
  vars: Record<string, string>;
  /** Variable name -> the secret it came from. */
  sources: Record<string, VariableSource>;
}

/** {@link LoadedSecrets} plus the whole values read, for masking a child's output. */
export interface LoadedSecretsWithValues extends LoadedSecrets {
  /** Every whole value read (a JSON secret's full text too), never logged. */
  wholeValues: string[];
  /** Variables that hold one key of an expanded JSON value. */
  expanded: string[];
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function normalise(request: SecretRequest | string): SecretRequest {
  return typeof request === 'string' ? { id: request } : request;
}

/** `secret "app/dev"` or `parameter "ssm:/app/x"`: a requested id in messages. */
export function sourceLabel(id: string): string {
  return `${sourceScheme(id) === 'ssm' ? 'parameter' : 'secret'} ${quoteInput(id, 200)}`;
}

function checkRequest(request: SecretRequest): ParsedSource {
  if (typeof request?.id !== 'string') {
    throw new SecretsEnvError('E_INPUT', 'every secret needs an id (a string)');
  }
  const parsed = parseSourceId(request.id);
  const label = sourceLabel(request.id);
  if (parsed.store === 'ssm') {
    if (request.versionStage !== undefined || request.versionId !== undefined) {
      throw new SecretsEnvError(
        'E_INPUT',
        `${label}: version stages and ids belong to Secrets Manager secrets, not SSM parameters`,
        { secretId: request.id },
      );
    }
  } else {
    checkVersion(request.id, request.versionStage, request.versionId);
    if (parsed.kind === 'prefix' && request.versionId !== undefined) {
      throw new SecretsEnvError(
        'E_INPUT',
        `${label}: a version id belongs to one secret and cannot apply to a prefix set; use a version stage or name the secret`,
        { secretId: request.id },
      );
    }
  }
  if (request.alias !== undefined && request.alias !== '' && !ALIAS.test(request.alias)) {
    throw new SecretsEnvError(
      'E_INPUT',
      `${label}: alias ${quoteInput(request.alias)} is not a variable name (letters, digits and _, not starting with a digit)`,
      { secretId: request.id },
    );
  }
  return parsed;
}

/** Turns a list of failures into one error (the first one's code), saying nothing was applied. */
export function failuresError(
  failures: readonly SecretFailure[],
  suffix = ' (nothing was loaded)',
): SecretsEnvError {
  const [first] = failures;
  if (!first) throw new Error('failuresError: no failures');
  const line = (f: SecretFailure) => `${sourceLabel(f.secretId)}: ${f.reason}`;
  const what = failures.every((f) => f.code === 'E_CONFLICT')
    ? 'variable conflicts'
    : 'secrets could not be loaded';
  const message =
    failures.length === 1
      ? line(first)
      : `${failures.length} ${what}: ${failures.map(line).join('; ')}`;
  return new SecretsEnvError(first.code, `${message}${suffix}`, {
    secretId: first.secretId,
    failures,
    retryable: failures.every((f) => f.code === 'E_AWS'),
  });
}

/** The options every load checks before any AWS call. */
function checkOptions(options: LoadSecretsOptions): {
  requests: SecretRequest[];
  parsed: ParsedSource[];
  transform: NameTransform;
  onConflict: 'error' | 'last-wins';
} {
  const transform = options.nameTransform ?? 'upper';
  if (transform !== 'upper' && transform !== 'none') {
    throw new SecretsEnvError(
      'E_INPUT',
      `nameTransform must be "upper" or "none", not ${quoteInput(String(transform))}`,
    );
  }
  const onConflict = options.onConflict ?? 'error';
  if (onConflict !== 'error' && onConflict !== 'last-wins') {
    throw new SecretsEnvError(
      'E_INPUT',
      `onConflict must be "error" or "last-wins", not ${quoteInput(String(onConflict))}`,
    );
  }
  if (options.region !== undefined && !REGION.test(options.region)) {
    throw new SecretsEnvError(
      'E_INPUT',
      `region ${quoteInput(options.region)} is not an AWS region name (lower-case letters, digits and -, e.g. eu-west-1)`,
    );
  }
  const requests = (options.secrets ?? []).map(normalise);
  if (requests.length === 0) {
    throw new SecretsEnvError('E_INPUT', 'no secrets to load: give at least one secret id');
  }
  return { requests, parsed: requests.map(checkRequest), transform, onConflict };
}

/**
 * Loads AWS Secrets Manager secrets and SSM Parameter Store parameters as environment
 * variables, all or nothing.
 *
 * Secrets Manager ids (the default, or after `sm:`) are names, ARNs, or name prefixes ending
 * in `*` (resolved with ListSecrets); values are read with BatchGetSecretValue, 20 per call,
 * calls in parallel; pinned versions, and every secret when the batch call is denied or
 * unavailable, with GetSecretValue. JSON objects expand key by key (nested keys joined with
 * `_`); plain secrets become one variable named by their alias or the last segment of their
 * name; binary secrets become base64.
 *
 * SSM ids start with `ssm:`: one parameter (`ssm:/app/prod/DB_URL` gives `DB_URL`), or
 * every parameter under a path, recursively (`ssm:/app/prod/` or `ssm:/app/prod/*`:
 * `/app/prod/nested/API_KEY` gives `NESTED_API_KEY`). Parameters are read with
 * GetParameters, 10 per call, and GetParametersByPath, in parallel with the Secrets Manager
 * calls, decrypted; throttled calls are tried again with backoff. A StringList stays
 * comma-joined; a JSON value is expanded only with `expandJson` (or `json: true`).
 *
 * Nothing is returned unless every source loaded: any failure (not found, access denied,
 * not JSON, invalid name, conflict) throws one {@link SecretsEnvError} listing every failed
 * id and why. Values never appear in errors or logs.
 *
 * @example
 * ```ts
 * const { vars, sources } = await loadSecrets({
 *   secrets: [{ id: 'app/dev' }, { id: 'shared/*', alias: 'SHARED' }, 'ssm:/app/dev/'],
 * });
 * console.log(Object.keys(vars), sources.DB_HOST?.secretName);
 * ```
 */
export async function loadSecrets(options: LoadSecretsOptions): Promise<LoadedSecrets> {
  const { vars, sources } = await loadSecretsWithValues(options);
  return { vars, sources };
}

/** One value read, ready to become variables. */
interface Item {
  request: SecretRequest;
  parsed: ParsedSource;
  value: SecretValue;
  /** The id to name in failures (a set's member says which set it came from). */
  displayId: string;
  /** Found under a Secrets Manager prefix. */
  fromPrefix: boolean;
  /** Name parts of an SSM parameter (below its path, or its last segment). */
  nameParts?: string[];
  parameterType?: ParameterValue['type'];
}

/** {@link loadSecrets}, also returning the whole values read (for `exec --mask-output`). */
export async function loadSecretsWithValues(
  options: LoadSecretsOptions,
): Promise<LoadedSecretsWithValues> {
  const { requests, parsed, transform, onConflict } = checkOptions(options);
  const log = options.log ?? (() => undefined);
  const needsSm = parsed.some((p) => p.store === 'secretsmanager');
  const needsSsm = parsed.some((p) => p.store === 'ssm');
  const signal = options.signal;
  signal?.throwIfAborted();
  return withAwsClients(options, { secretsManager: needsSm, ssm: needsSsm }, async (clients) => {
    const ssmOptions: ParameterReadOptions = {
      decrypt: true,
      clock: options.clock ?? systemClock,
      signal: options.signal,
      log,
    };
    const [sm, ssm] = await Promise.all([
      needsSm
        ? readSecretsManager(clients.secretsManager, requests, parsed, log, options.signal)
        : { items: [], failures: [] },
      needsSsm
        ? readParameters(clients.ssm, requests, parsed, ssmOptions)
        : { items: [], failures: [] },
    ]);
    // Calls cut short by the signal fail as AWS errors: report the signal instead.
    signal?.throwIfAborted();
    const failures = [...sm.failures, ...ssm.failures];
    if (failures.length > 0) throw failuresError(failures);
    // Back in request order, so that "later wins" means the later --secret.
    const items = [...sm.items, ...ssm.items].sort(
      (a, b) => requests.indexOf(a.request) - requests.indexOf(b.request),
    );
    return toVariables(items, transform, onConflict, options.expandJson === true, log);
  });
}

/** The Secrets Manager part: prefixes listed, then every value read in batches. */
async function readSecretsManager(
  client: SecretsManagerClient,
  requests: readonly SecretRequest[],
  parsed: readonly ParsedSource[],
  log: (message: string) => void,
  signal: AbortSignal | undefined,
): Promise<{ items: Item[]; failures: SecretFailure[] }> {
  const failures: SecretFailure[] = [];
  const prefixes = [
    ...new Set(
      parsed.flatMap((p) =>
        p.store === 'secretsmanager' && p.kind === 'prefix' ? [p.prefix] : [],
      ),
    ),
  ];
  const listed = new Map<string, ListedSecret[]>();
  await Promise.all(
    prefixes.map(async (prefix) => {
      try {
        const found = await listSecretsByPrefix(client, prefix, signal);
        listed.set(prefix, found);
        log(`prefix ${prefix}*: ${found.length} secret(s)`);
      } catch (error) {
        const failure = failureFromError(`${prefix}*`, error);
        const info = awsErrorInfo(error);
        if (failure.code === 'E_ACCESS_DENIED') {
          failure.reason = `cannot list secrets: allow secretsmanager:ListSecrets to use a prefix (${info.code}: ${info.message})`;
        }
        failures.push(failure);
      }
    }),
  );

  const targets: { request: SecretRequest; parsed: ParsedSource; fetch: FetchRequest }[] = [];
  requests.forEach((request, i) => {
    const p = parsed[i] as ParsedSource;
    if (p.store !== 'secretsmanager') return;
    const version = {
      ...(request.versionStage === undefined ? {} : { versionStage: request.versionStage }),
      ...(request.versionId === undefined ? {} : { versionId: request.versionId }),
    };
    if (p.kind !== 'prefix') {
      targets.push({ request, parsed: p, fetch: { secretId: p.id, ...version } });
      return;
    }
    const found = listed.get(p.prefix);
    if (found === undefined) {
      // The listing failed: say so under the id as requested (`sm:` included).
      for (const f of failures) if (f.secretId === `${p.prefix}*`) f.secretId = request.id;
      return;
    }
    if (found.length === 0 && !failures.some((f) => f.secretId === request.id)) {
      failures.push({
        secretId: request.id,
        code: 'E_NOT_FOUND',
        reason: `no secret name starts with ${quoteInput(p.prefix)} (ListSecrets may take a moment to show new secrets)`,
      });
    }
    for (const s of found)
      targets.push({ request, parsed: p, fetch: { secretId: s.arn, ...version } });
  });
  if (failures.length > 0 || targets.length === 0) return { items: [], failures };

  const results = await fetchSecrets(
    client,
    targets.map((t) => t.fetch),
    log,
    signal,
  );
  const items: Item[] = [];
  results.forEach((result, i) => {
    const target = targets[i] as (typeof targets)[number];
    const fromPrefix = target.parsed.kind === 'prefix';
    if (!result.ok) {
      // Inside a prefix set, name the secret found as well as the requested prefix.
      const id = fromPrefix
        ? `${target.fetch.secretId} (from ${target.request.id})`
        : target.request.id;
      failures.push({ ...result.failure, secretId: id });
      return;
    }
    items.push({
      request: target.request,
      parsed: target.parsed,
      value: result.value,
      displayId: fromPrefix
        ? `${result.value.name} (from ${target.request.id})`
        : target.request.id,
      fromPrefix,
    });
  });
  return { items, failures };
}

/** The SSM part: single parameters in chunks of 10, paths page by page, all in parallel. */
async function readParameters(
  client: SSMClient,
  requests: readonly SecretRequest[],
  parsed: readonly ParsedSource[],
  options: ParameterReadOptions,
): Promise<{ items: Item[]; failures: SecretFailure[] }> {
  const names: string[] = [];
  const paths: string[] = [];
  for (const p of parsed) {
    if (p.store !== 'ssm') continue;
    if (p.kind === 'parameter') names.push(p.id);
    else paths.push(p.id);
  }
  const byPath = new Map<string, ParameterValue[] | { error: unknown }>();
  const [single] = await Promise.all([
    names.length > 0 ? getParameters(client, names, options) : new Map(),
    Promise.all(
      [...new Set(paths)].map(async (path) => {
        try {
          byPath.set(path, await getParametersByPath(client, path, options));
        } catch (error) {
          byPath.set(path, { error });
        }
      }),
    ),
  ]);

  const items: Item[] = [];
  const failures: SecretFailure[] = [];
  requests.forEach((request, i) => {
    const p = parsed[i] as ParsedSource;
    if (p.store !== 'ssm') return;
    if (p.kind === 'parameter') {
      const result = single.get(p.id);
      if (!result) return;
      if (!result.ok) {
        failures.push({ ...result.failure, secretId: request.id });
        return;
      }
      const value = result.value as ParameterValue;
      items.push(parameterItem(request, p, value, request.id, [lastSegment(value.name)]));
      return;
    }
    const found = byPath.get(p.id);
    if (found === undefined) return;
    if (!Array.isArray(found)) {
      failures.push(parameterFailure(request.id, found.error, 'ssm:GetParametersByPath'));
      return;
    }
    if (found.length === 0) {
      failures.push({
        secretId: request.id,
        code: 'E_NOT_FOUND',
        reason: `no parameter under the path ${quoteInput(p.id)} (check the path, the region and the account)`,
      });
      return;
    }
    for (const value of found) {
      const below = value.name
        .slice(p.id.length)
        .split('/')
        .filter((s) => s !== '');
      items.push(parameterItem(request, p, value, `${value.name} (from ${request.id})`, below));
    }
  });
  return { items, failures };
}

function lastSegment(name: string): string {
  return (
    name
      .split('/')
      .filter((s) => s !== '')
      .at(-1) ?? name
  );
}

function parameterItem(
  request: SecretRequest,
  parsed: ParsedSource,
  value: ParameterValue,
  displayId: string,
  nameParts: string[],
): Item {
  return {
    request,
    parsed,
    value: {
      arn: value.arn,
      name: value.name,
      text: value.value,
      ...(value.version === undefined ? {} : { versionId: String(value.version) }),
    },
    displayId,
    fromPrefix: parsed.kind === 'path',
    nameParts,
    parameterType: value.type,
  };
}

/** Names every value's variables, in order, and checks names and conflicts. */
function toVariables(
  items: readonly Item[],
  transform: NameTransform,
  onConflict: 'error' | 'last-wins',
  expandJson: boolean,
  log: (message: string) => void,
): LoadedSecretsWithValues {
  const failures: SecretFailure[] = [];
  const expandedItems: { item: Item; vars: ExpandedVariable[] }[] = [];
  for (const item of items) {
    const ssm = item.parsed.store === 'ssm';
    const json = item.request.json ?? (ssm && !expandJson ? false : undefined);
    const out = expandSecret(item.value, {
      ...(item.request.alias === undefined ? {} : { alias: item.request.alias }),
      ...(json === undefined ? {} : { json }),
      fromPrefix: item.fromPrefix,
      ...(item.nameParts === undefined ? {} : { nameParts: item.nameParts }),
      transform,
      secretId: item.displayId,
    });
    if (!out.ok) failures.push(out.failure);
    else expandedItems.push({ item, vars: out.vars });
  }
  if (failures.length > 0) throw failuresError(failures);

  const vars = new Map<string, string>();
  const sources = new Map<string, VariableSource>();
  const expanded = new Set<string>();
  const conflicts: SecretFailure[] = [];
  for (const { item, vars: itemVars } of expandedItems) {
    for (const v of itemVars) {
      if (!isValidVariableName(v.name)) {
        failures.push({
          secretId: item.request.id,
          code: 'E_INVALID_NAME',
          reason: `${quoteInput(v.name)} is not a valid variable name`,
        });
        continue;
      }
      const source: VariableSource = {
        secretId: item.request.id,
        store: item.parsed.store,
        secretName: item.value.name,
        secretArn: item.value.arn,
        ...(item.value.versionId === undefined ? {} : { versionId: item.value.versionId }),
        ...(item.parameterType === undefined ? {} : { parameterType: item.parameterType }),
        ...(v.jsonPath === undefined ? {} : { jsonPath: v.jsonPath }),
      };
      const before = sources.get(v.name);
      if (before !== undefined && sameValue(before, source)) continue;
      if (before !== undefined && onConflict === 'error') {
        conflicts.push({
          secretId: item.request.id,
          code: 'E_CONFLICT',
          reason: `variable ${v.name} comes from both ${describe(before)} and ${describe(source)}; ${before.secretArn === source.secretArn ? 'rename one of the keys' : 'give one an alias'}, or let the later one win with onConflict last-wins (--on-conflict last-wins)`,
        });
        continue;
      }
      if (before !== undefined) log(`${v.name}: ${describe(source)} replaces ${describe(before)}`);
      vars.delete(v.name);
      vars.set(v.name, v.value);
      sources.set(v.name, source);
      if (v.jsonPath === undefined) expanded.delete(v.name);
      else expanded.add(v.name);
    }
  }
  if (failures.length > 0) throw failuresError(failures);
  if (conflicts.length > 0) throw failuresError(conflicts);
  log(`loaded ${vars.size} variable(s) from ${expandedItems.length} source(s)`);
  const wholeValues = items.map(
    (i) =>
      i.value.text ??
      (i.value.binary === undefined ? '' : Buffer.from(i.value.binary).toString('base64')),
  );
  return {
    vars: Object.fromEntries(vars),
    sources: Object.fromEntries(sources),
    wholeValues,
    expanded: [...expanded],
  };
}

/**
 * The same value reached twice (a source listed twice, a name and its ARN, a secret that is
 * also under a listed prefix): not a conflict.
 */
function sameValue(a: VariableSource, b: VariableSource): boolean {
  return (
    a.store === b.store &&
    a.secretArn === b.secretArn &&
    a.versionId === b.versionId &&
    JSON.stringify(a.jsonPath ?? null) === JSON.stringify(b.jsonPath ?? null)
  );
}

/** `secret "app/dev" (key db.host)`: a source in words, for conflict messages. */
export function describe(source: VariableSource): string {
  const via =
    source.secretId === source.secretName ||
    source.secretId === source.secretArn ||
    source.secretId === `ssm:${source.secretName}`
      ? ''
      : ` via ${quoteInput(source.secretId, 200)}`;
  const key = source.jsonPath ? ` key ${quoteInput(source.jsonPath.join('.'))}` : '';
  const what = source.store === 'ssm' ? 'parameter' : 'secret';
  return `${what} ${quoteInput(source.secretName, 200)}${key}${via}`;
}
