import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsErrorInfo } from '@berth/internal';
import { failureFromError } from './aws-failure.ts';
import { type ClientOptions, withSecretsClient } from './client.ts';
import { type SecretFailure, SecretsEnvError } from './errors.ts';
import { type ExpandedVariable, expandSecret } from './expand.ts';
import { type FetchRequest, fetchSecrets } from './fetch-secrets.ts';
import { type ListedSecret, listSecretsByPrefix } from './list-secrets.ts';
import { isValidVariableName, type NameTransform } from './names.ts';
import { checkVersion, type ParsedSecretId, parseSecretId } from './secret-id.ts';

/** One secret (or set of secrets, with a `prefix*` id) to load. */
export interface SecretRequest {
  /** A secret name, an ARN, or a name prefix ending in `*` (at least 3 characters before it). */
  id: string;
  /**
   * Name of a plain secret's variable, or prefix of a JSON secret's variables (`APP` gives
   * `APP_DB_HOST`). With a `prefix*` id it prefixes every variable of every secret found.
   */
  alias?: string;
  /** Read this staging label (e.g. `AWSPREVIOUS`) instead of `AWSCURRENT`. */
  versionStage?: string;
  /** Read this version; not with `versionStage`, not with a `prefix*` id. */
  versionId?: string;
  /**
   * `true`: the secret must be a JSON object (else `E_NOT_JSON`); `false`: never expand it;
   * absent (default): expand it when it is a JSON object.
   */
  json?: boolean;
}

/** Where one variable came from. */
export interface VariableSource {
  /** The id as requested (for a prefix set, the `prefix*` id). */
  secretId: string;
  /** Name of the secret that holds the value. */
  secretName: string;
  /** Full ARN of that secret. */
  secretArn: string;
  /** Version read, when Secrets Manager reported it. */
  versionId?: string;
  /** JSON key path of the value inside the secret; absent for a whole-secret variable. */
  jsonPath?: readonly string[];
}

/** Options of {@link loadSecrets}. */
export interface LoadSecretsOptions extends ClientOptions {
  /** Secrets to load, in order (later ones win conflicts with `onConflict: 'last-wins'`). */
  secrets: readonly (SecretRequest | string)[];
  /** `upper` (default) upper-cases names; `none` keeps the keys' spelling. */
  nameTransform?: NameTransform;
  /** `error` (default): two sources for one variable fail the load; `last-wins`: the later wins. */
  onConflict?: 'error' | 'last-wins';
  /** Progress lines (secret ids, counts, calls; never values), e.g. for `--verbose`. */
  log?: (message: string) => void;
}

/** What {@link loadSecrets} returns. */
export interface LoadedSecrets {
  /** Variable name -> value, in load order. */
  vars: Record<string, string>;
  /** Variable name -> the secret it came from. */
  sources: Record<string, VariableSource>;
}

interface Target {
  request: SecretRequest;
  parsed: ParsedSecretId;
  fetch: FetchRequest;
}

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

function normalise(request: SecretRequest | string): SecretRequest {
  return typeof request === 'string' ? { id: request } : request;
}

function checkRequest(request: SecretRequest): ParsedSecretId {
  const parsed = parseSecretId(request.id);
  checkVersion(request.id, request.versionStage, request.versionId);
  if (parsed.kind === 'prefix' && request.versionId !== undefined) {
    throw new SecretsEnvError(
      'E_INVALID_OPTION',
      `secret "${request.id}": a version id belongs to one secret and cannot apply to a prefix set; use a version stage or name the secret`,
      { secretId: request.id },
    );
  }
  if (request.alias !== undefined && request.alias !== '' && !ALIAS.test(request.alias)) {
    throw new SecretsEnvError(
      'E_INVALID_OPTION',
      `secret "${request.id}": alias "${request.alias}" is not a variable name (letters, digits and _, not starting with a digit)`,
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
  const line = (f: SecretFailure) => `secret "${f.secretId}": ${f.reason}`;
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

/**
 * Loads Secrets Manager secrets as environment variables, all or nothing.
 *
 * Ids are names, ARNs, or name prefixes ending in `*` (resolved with ListSecrets). Values are
 * read with BatchGetSecretValue, 20 per call, calls in parallel; pinned versions, and every
 * secret when the batch call is denied or unavailable, with GetSecretValue. JSON objects
 * expand key by key (nested keys joined with `_`); plain secrets become one variable named
 * by their alias or the last segment of their name; binary secrets become base64.
 *
 * Nothing is returned unless every secret loaded: any failure (not found, access denied,
 * not JSON, invalid name, conflict) throws one {@link SecretsEnvError} listing every failed
 * secret id and why. Values never appear in errors or logs.
 *
 * @example
 * ```ts
 * const { vars, sources } = await loadSecrets({
 *   secrets: [{ id: 'app/dev' }, { id: 'shared/*', alias: 'SHARED' }],
 * });
 * console.log(Object.keys(vars), sources.DB_HOST?.secretName);
 * ```
 */
export async function loadSecrets(options: LoadSecretsOptions): Promise<LoadedSecrets> {
  const log = options.log ?? (() => undefined);
  const transform = options.nameTransform ?? 'upper';
  if (transform !== 'upper' && transform !== 'none') {
    throw new SecretsEnvError(
      'E_INVALID_OPTION',
      `nameTransform must be "upper" or "none", not "${String(transform)}"`,
    );
  }
  const onConflict = options.onConflict ?? 'error';
  if (onConflict !== 'error' && onConflict !== 'last-wins') {
    throw new SecretsEnvError(
      'E_INVALID_OPTION',
      `onConflict must be "error" or "last-wins", not "${String(onConflict)}"`,
    );
  }
  const requests = options.secrets.map(normalise);
  if (requests.length === 0) {
    throw new SecretsEnvError(
      'E_INVALID_OPTION',
      'no secrets to load: give at least one secret id',
    );
  }
  const parsed = requests.map(checkRequest);
  return withSecretsClient(options, (client) =>
    load(client, requests, parsed, transform, onConflict, log),
  );
}

/** The AWS part of {@link loadSecrets}, after the input is checked. */
async function load(
  client: SecretsManagerClient,
  requests: readonly SecretRequest[],
  parsed: readonly ParsedSecretId[],
  transform: NameTransform,
  onConflict: 'error' | 'last-wins',
  log: (message: string) => void,
): Promise<LoadedSecrets> {
  const failures: SecretFailure[] = [];
  const prefixes = [...new Set(parsed.filter((p) => p.kind === 'prefix').map((p) => p.prefix))];
  const listed = new Map<string, ListedSecret[]>();
  await Promise.all(
    prefixes.map(async (prefix) => {
      try {
        const found = await listSecretsByPrefix(client, prefix);
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

  const targets: Target[] = [];
  requests.forEach((request, i) => {
    const p = parsed[i] as ParsedSecretId;
    const version = {
      ...(request.versionStage === undefined ? {} : { versionStage: request.versionStage }),
      ...(request.versionId === undefined ? {} : { versionId: request.versionId }),
    };
    if (p.kind !== 'prefix') {
      targets.push({ request, parsed: p, fetch: { secretId: request.id, ...version } });
      return;
    }
    const found = listed.get(p.prefix);
    if (found === undefined) return;
    if (found.length === 0 && !failures.some((f) => f.secretId === request.id)) {
      failures.push({
        secretId: request.id,
        code: 'E_NOT_FOUND',
        reason: `no secret name starts with "${p.prefix}" (ListSecrets may take a moment to show new secrets)`,
      });
    }
    for (const s of found)
      targets.push({ request, parsed: p, fetch: { secretId: s.arn, ...version } });
  });
  if (failures.length > 0) throw failuresError(failures);

  const results = await fetchSecrets(
    client,
    targets.map((t) => t.fetch),
    log,
  );

  const expanded: {
    target: Target;
    vars: ExpandedVariable[];
    arn: string;
    name: string;
    versionId?: string;
  }[] = [];
  results.forEach((result, i) => {
    const target = targets[i] as Target;
    if (!result.ok) {
      // Inside a prefix set, name the secret found as well as the requested prefix.
      const id =
        target.parsed.kind === 'prefix'
          ? `${target.fetch.secretId} (from ${target.request.id})`
          : target.request.id;
      failures.push({ ...result.failure, secretId: id });
      return;
    }
    const out = expandSecret(result.value, {
      ...(target.request.alias === undefined ? {} : { alias: target.request.alias }),
      ...(target.request.json === undefined ? {} : { json: target.request.json }),
      fromPrefix: target.parsed.kind === 'prefix',
      transform,
      secretId:
        target.parsed.kind === 'prefix'
          ? `${result.value.name} (from ${target.request.id})`
          : target.request.id,
    });
    if (!out.ok) {
      failures.push(out.failure);
      return;
    }
    expanded.push({
      target,
      vars: out.vars,
      arn: result.value.arn,
      name: result.value.name,
      ...(result.value.versionId === undefined ? {} : { versionId: result.value.versionId }),
    });
  });
  if (failures.length > 0) throw failuresError(failures);

  const vars = new Map<string, string>();
  const sources = new Map<string, VariableSource>();
  const conflicts: SecretFailure[] = [];
  for (const e of expanded) {
    for (const v of e.vars) {
      if (!isValidVariableName(v.name)) {
        failures.push({
          secretId: e.target.request.id,
          code: 'E_INVALID_NAME',
          reason: `"${v.name}" is not a valid variable name`,
        });
        continue;
      }
      const source: VariableSource = {
        secretId: e.target.request.id,
        secretName: e.name,
        secretArn: e.arn,
        ...(e.versionId === undefined ? {} : { versionId: e.versionId }),
        ...(v.jsonPath === undefined ? {} : { jsonPath: v.jsonPath }),
      };
      const before = sources.get(v.name);
      if (before !== undefined && onConflict === 'error') {
        conflicts.push({
          secretId: e.target.request.id,
          code: 'E_CONFLICT',
          reason: `variable ${v.name} comes from both ${describe(before)} and ${describe(source)}; ${before.secretArn === source.secretArn ? 'rename one of the keys' : 'give one secret an alias'}, or let the later one win with onConflict last-wins (--on-conflict last-wins)`,
        });
        continue;
      }
      if (before !== undefined) log(`${v.name}: ${describe(source)} replaces ${describe(before)}`);
      vars.delete(v.name);
      vars.set(v.name, v.value);
      sources.set(v.name, source);
    }
  }
  if (failures.length > 0) throw failuresError(failures);
  if (conflicts.length > 0) throw failuresError(conflicts);
  log(`loaded ${vars.size} variable(s) from ${expanded.length} secret(s)`);
  return { vars: Object.fromEntries(vars), sources: Object.fromEntries(sources) };
}

/** `secret "app/dev" (key db.host)`: a source in words, for conflict messages. */
export function describe(source: VariableSource): string {
  const via =
    source.secretId === source.secretName || source.secretId === source.secretArn
      ? ''
      : ` via ${source.secretId}`;
  const key = source.jsonPath ? ` key ${source.jsonPath.join('.')}` : '';
  return `secret "${source.secretName}"${key}${via}`;
}
