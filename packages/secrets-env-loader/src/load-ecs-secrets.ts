import { type Clock, quoteInput, systemClock } from '@berth/internal';
import { type ClientOptions, withAwsClients } from './client.ts';
import { type EcsSecret, toEcsSecrets } from './ecs-secrets.ts';
import { type SecretFailure, SecretsEnvError } from './errors.ts';
import {
  getParameters,
  getParametersByPath,
  type ParameterReadOptions,
  parameterFailure,
} from './fetch-parameters.ts';
import { failuresError, type SecretRequest, sourceLabel } from './load-secrets.ts';
import { isValidVariableName, type NameTransform, variableName } from './names.ts';
import { readSecretKeys } from './read-secret-keys.ts';
import { type ParsedSource, parseSourceId } from './source-id.ts';

/** Options of {@link loadEcsSecrets}. */
export interface LoadEcsSecretsOptions extends ClientOptions {
  /**
   * Sources, in order: Secrets Manager JSON secrets by name or ARN (one entry per top-level
   * key; no prefix sets), SSM parameters (`ssm:/app/prod/DB_URL`, or an ARN) and paths
   * (`ssm:/app/prod/`), one entry per parameter. An alias names a parameter's variable, or
   * prefixes the variables of a secret or path.
   */
  secrets: readonly (SecretRequest | string)[];
  /** Pin this staging label in every Secrets Manager `valueFrom`; not with `versionId`. */
  versionStage?: string;
  /** Pin this version id (one Secrets Manager secret only). */
  versionId?: string;
  /** Casing of names made from keys and parameter names (default `upper`). */
  nameTransform?: NameTransform;
  /** Progress lines (ids, counts; never values). */
  log?: (message: string) => void;
  /** Stops the AWS calls in flight (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Clock for waits between throttled SSM calls (tests inject one). */
  clock?: Clock;
}

interface Entry {
  secret: EcsSecret;
  from: string;
}

/**
 * The ECS `secrets` list for a mix of sources, in order: one entry per top-level key of each
 * Secrets Manager JSON secret (`<arn>:<key>:<stage>:<id>`, read with GetSecretValue for its
 * keys, never returning values), and one entry per SSM parameter with the parameter's ARN
 * as `valueFrom` (ECS takes both stores in one list; parameters are read with
 * GetParameters / GetParametersByPath without decryption, for their names and ARNs).
 * All or nothing: every failed source is listed in one {@link SecretsEnvError}; two entries
 * with one name are an `E_CONFLICT`.
 *
 * @example
 * ```ts
 * const secrets = await loadEcsSecrets({ secrets: ['app/prod', 'ssm:/app/prod/'] });
 * // [{ name: 'DB_HOST', valueFrom: 'arn:aws:secretsmanager:...:secret:app/prod-AbCdEf:DB_HOST::' },
 * //  { name: 'DB_URL', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/app/prod/DB_URL' }]
 * ```
 */
export async function loadEcsSecrets(options: LoadEcsSecretsOptions): Promise<EcsSecret[]> {
  const requests = (options.secrets ?? []).map((r) => (typeof r === 'string' ? { id: r } : r));
  if (requests.length === 0) {
    throw new SecretsEnvError('E_INPUT', 'no secrets: give at least one secret id');
  }
  const transform = options.nameTransform ?? 'upper';
  const parsed = requests.map((r) => {
    const p = parseSourceId(r.id);
    if (p.store === 'secretsmanager' && p.kind === 'prefix') {
      throw new SecretsEnvError(
        'E_INVALID_SECRET_ID',
        `${sourceLabel(r.id)}: an ECS secrets list names each secret; give secret names, not a prefix`,
        { secretId: r.id },
      );
    }
    if (p.store === 'ssm' && (r.versionStage !== undefined || r.versionId !== undefined)) {
      throw new SecretsEnvError(
        'E_INPUT',
        `${sourceLabel(r.id)}: version stages and ids belong to Secrets Manager secrets`,
        { secretId: r.id },
      );
    }
    return p;
  });
  const smCount = parsed.filter((p) => p.store === 'secretsmanager').length;
  if (options.versionId !== undefined && smCount !== 1) {
    throw new SecretsEnvError(
      'E_INPUT',
      'a version id pins one secret: give exactly one Secrets Manager secret with it',
    );
  }
  const log = options.log ?? (() => undefined);
  const readOptions: ParameterReadOptions = {
    decrypt: false,
    clock: options.clock ?? systemClock,
    signal: options.signal,
    log,
  };

  options.signal?.throwIfAborted();
  const needs = {
    secretsManager: parsed.some((p) => p.store === 'secretsmanager'),
    ssm: parsed.some((p) => p.store === 'ssm'),
  };
  return withAwsClients(options, needs, async (clients) => {
    const failures: SecretFailure[] = [];
    const names = parsed.flatMap((p) =>
      p.store === 'ssm' && p.kind === 'parameter' ? [p.id] : [],
    );
    const singles = names.length > 0 ? getParameters(clients.ssm, names, readOptions) : undefined;
    const perRequest = await Promise.all(
      requests.map(async (request, i): Promise<Entry[]> => {
        const p = parsed[i] as ParsedSource;
        const alias = request.alias === undefined || request.alias === '' ? [] : [request.alias];
        if (p.store === 'secretsmanager') {
          const versionStage = request.versionStage ?? options.versionStage;
          const versionId = request.versionId ?? options.versionId;
          try {
            const { arn, keys } = await readSecretKeys({
              secretId: request.id,
              ...(versionStage === undefined ? {} : { versionStage }),
              ...(versionId === undefined ? {} : { versionId }),
              client: clients.secretsManager,
              ...(options.signal ? { signal: options.signal } : {}),
            });
            log(`secret ${request.id}: ${keys.length} key(s)`);
            return toEcsSecrets({
              secretArn: arn,
              keys,
              ...(versionStage === undefined ? {} : { versionStage }),
              ...(versionId === undefined ? {} : { versionId }),
              ...(request.alias === undefined ? {} : { prefix: request.alias }),
              nameTransform: transform,
            }).map((secret) => ({ secret, from: request.id }));
          } catch (error) {
            if (!(error instanceof SecretsEnvError)) throw error;
            failures.push(
              ...(error.failures.length > 0
                ? error.failures.map((f) => ({ ...f, secretId: request.id }))
                : [{ secretId: request.id, code: error.code, reason: error.message }]),
            );
            return [];
          }
        }
        if (p.kind === 'parameter') {
          const result = (await singles)?.get(p.id);
          if (!result) return [];
          if (!result.ok) {
            failures.push({ ...result.failure, secretId: request.id });
            return [];
          }
          const own =
            result.value.name
              .split('/')
              .filter((s) => s !== '')
              .at(-1) ?? result.value.name;
          const name = variableName(alias.length > 0 ? alias : [own], transform);
          return [{ secret: { name: name ?? '', valueFrom: result.value.arn }, from: request.id }];
        }
        try {
          const found = await getParametersByPath(clients.ssm, p.id, readOptions);
          if (found.length === 0) {
            failures.push({
              secretId: request.id,
              code: 'E_NOT_FOUND',
              reason: `no parameter under the path ${quoteInput(p.id)}`,
            });
          }
          return found.map((value) => {
            const below = value.name
              .slice(p.id.length)
              .split('/')
              .filter((s) => s !== '');
            const name = variableName([...alias, ...below], transform);
            return { secret: { name: name ?? '', valueFrom: value.arn }, from: request.id };
          });
        } catch (error) {
          failures.push(parameterFailure(request.id, error, 'ssm:GetParametersByPath'));
          return [];
        }
      }),
    );
    options.signal?.throwIfAborted();
    if (failures.length > 0) throw failuresError(failures, '');

    const byName = new Map<string, Entry>();
    const result: EcsSecret[] = [];
    for (const entry of perRequest.flat()) {
      const { name, valueFrom } = entry.secret;
      if (!isValidVariableName(name)) {
        throw new SecretsEnvError(
          'E_INVALID_NAME',
          `${quoteInput(name)} (for ${quoteInput(valueFrom, 200)}) is not a valid variable name; give an alias`,
          { secretId: entry.from },
        );
      }
      const before = byName.get(name);
      if (before?.secret.valueFrom === valueFrom) continue;
      if (before) {
        throw new SecretsEnvError(
          'E_CONFLICT',
          `variable ${name} comes from both ${quoteInput(before.secret.valueFrom, 200)} and ${quoteInput(valueFrom, 200)}; give one of them an alias`,
          { secretId: entry.from },
        );
      }
      byName.set(name, entry);
      result.push(entry.secret);
    }
    return result;
  });
}
