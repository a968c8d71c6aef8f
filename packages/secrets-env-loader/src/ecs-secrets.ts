import { quoteInput } from '@berth/internal';
import { SecretsEnvError } from './errors.ts';
import { isValidVariableName, type NameTransform, variableName } from './names.ts';

/** One entry of a container definition's `secrets` list. */
export interface EcsSecret {
  /** Environment variable name in the container. */
  name: string;
  /** `<secret-arn>:<json-key>:<version-stage>:<version-id>` */
  valueFrom: string;
}

/** Options of {@link toEcsSecrets}. */
export interface ToEcsSecretsOptions {
  /** Full ARN of the secret, with its 6-character suffix (as {@link readSecretKeys} returns it). */
  secretArn: string;
  /** Top-level JSON keys, one entry each. */
  keys: readonly string[];
  /** Pin a staging label (e.g. `AWSPREVIOUS`); not with `versionId`. */
  versionStage?: string;
  /** Pin a version id; not with `versionStage`. */
  versionId?: string;
  /** Prefix of every name (an alias): `APP` gives `APP_DB_HOST`. */
  prefix?: string;
  /** Casing of names made from keys (default `upper`), as {@link loadSecrets} names them. */
  nameTransform?: NameTransform;
  /** Explicit variable names for some keys (key -> name), used as given. */
  names?: Readonly<Record<string, string>>;
}

const FULL_SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;

/**
 * Builds the ECS task definition `secrets` list for a JSON secret: one
 * `{ name, valueFrom: "<arn>:<KEY>::" }` per key, the stage or version id in its own field
 * (`<arn>:<KEY>:AWSPREVIOUS:` or `<arn>:<KEY>::<id>`). Names follow the rules of
 * {@link loadSecrets}, so a task reads the same variables the CLI would load, with one
 * difference: ECS references top-level keys only, so a key holding a nested object gives one
 * entry (`DB`), where {@link loadSecrets} expands it (`DB_HOST`, `DB_PORT`).
 *
 * @throws SecretsEnvError `E_INVALID_SECRET_ID` when `secretArn` is not a full secret ARN,
 *   `E_INPUT` when both a stage and an id are given, `E_INVALID_NAME` when a key
 *   cannot be referenced or named, `E_CONFLICT` when two keys give the same name.
 *
 * @example
 * ```ts
 * const { arn, keys } = await readSecretKeys({ secretId: 'app/dev' });
 * const secrets = toEcsSecrets({ secretArn: arn, keys });
 * // [{ name: 'DB_HOST', valueFrom: 'arn:aws:secretsmanager:...:secret:app/dev-AbCdEf:DB_HOST::' }, ...]
 * ```
 */
export function toEcsSecrets(options: ToEcsSecretsOptions): EcsSecret[] {
  const { secretArn, keys, versionStage, versionId } = options;
  if (!FULL_SECRET_ARN.test(secretArn)) {
    throw new SecretsEnvError(
      'E_INVALID_SECRET_ID',
      `${quoteInput(secretArn, 200)} is not the full ARN of a secret (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>): ECS needs the full ARN to pick a JSON key; use readSecretKeys() or DescribeSecret to get it`,
      { secretId: secretArn },
    );
  }
  if (versionStage !== undefined && versionId !== undefined) {
    throw new SecretsEnvError(
      'E_INPUT',
      'give a version stage or a version id, not both: ECS accepts only one of them in valueFrom',
    );
  }
  for (const [label, value] of [
    ['version stage', versionStage],
    ['version id', versionId],
  ] as const) {
    if (value !== undefined && (value === '' || value.includes(':'))) {
      throw new SecretsEnvError(
        'E_INPUT',
        `invalid ${label} ${quoteInput(value)}: it must be non-empty and contain no ":"`,
      );
    }
  }
  const transform = options.nameTransform ?? 'upper';
  const prefix = options.prefix === undefined || options.prefix === '' ? [] : [options.prefix];
  const byName = new Map<string, string>();
  const result: EcsSecret[] = [];
  for (const key of new Set(keys)) {
    if (key === '' || key.includes(':')) {
      throw new SecretsEnvError(
        'E_INVALID_NAME',
        `JSON key ${quoteInput(key)} of ${secretArn} cannot be referenced from an ECS task definition (valueFrom fields are separated by ":"); rename the key`,
        { secretId: secretArn },
      );
    }
    const explicit = options.names?.[key];
    const name = explicit ?? variableName([...prefix, key], transform);
    if (name === undefined || !isValidVariableName(name)) {
      throw new SecretsEnvError(
        'E_INVALID_NAME',
        `${quoteInput(name ?? '')} (for JSON key ${quoteInput(key)} of ${secretArn}) is not a valid variable name: use letters, digits and _ and do not start with a digit`,
        { secretId: secretArn },
      );
    }
    const other = byName.get(name);
    if (other !== undefined) {
      throw new SecretsEnvError(
        'E_CONFLICT',
        `JSON keys ${quoteInput(other)} and ${quoteInput(key)} of ${secretArn} both become variable ${name}: rename one key or give it an explicit name`,
        { secretId: secretArn },
      );
    }
    byName.set(name, key);
    result.push({
      name,
      valueFrom: `${secretArn}:${key}:${versionStage ?? ''}:${versionId ?? ''}`,
    });
  }
  return result;
}
