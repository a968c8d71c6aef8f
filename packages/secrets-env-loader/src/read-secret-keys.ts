import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { quoteInput } from '@berth/internal';
import { withSecretsClient } from './client.ts';
import { SecretsEnvError } from './errors.ts';
import { getSecretValue } from './fetch-secrets.ts';
import { parseJsonObject } from './json-object.ts';
import { failuresError } from './load-secrets.ts';
import { checkVersion } from './secret-id.ts';
import { parseSourceId } from './source-id.ts';

/** Options of {@link readSecretKeys}. */
export interface ReadSecretKeysOptions {
  /** Name or ARN of one JSON secret (no prefix). */
  secretId: string;
  /** Read this staging label (e.g. `AWSPREVIOUS`); not with `versionId`. */
  versionStage?: string;
  /** Read this version; not with `versionStage`. */
  versionId?: string;
  /**
   * A Secrets Manager client to use instead of building one.
   * @deprecated Use `clients: { secretsManager }`; kept for existing callers.
   */
  client?: SecretsManagerClient;
  /** A client to use instead of building one (tests, custom credentials). */
  clients?: { secretsManager?: SecretsManagerClient };
  /** Region when no client is given; default `AWS_REGION`, then `AWS_DEFAULT_REGION`. */
  region?: string;
  /** Time limit of one attempt of the AWS call, in ms (default `BERTH_AWS_TIMEOUT`, else 30 s). */
  timeoutMs?: number;
  /** Stops the AWS call when it aborts. */
  signal?: AbortSignal;
}

/** What {@link readSecretKeys} returns: never the values. */
export interface SecretKeys {
  /** Full ARN, with the 6-character suffix ECS needs. */
  arn: string;
  /** The secret's name. */
  name: string;
  /** Top-level JSON keys, in the secret's order. */
  keys: string[];
  /** Version read, when Secrets Manager reported it. */
  versionId?: string;
}

/**
 * Reads one JSON secret's full ARN and top-level keys, for building an ECS `secrets` list
 * with {@link toEcsSecrets}. The value is read only to list its keys: it is never returned
 * or logged.
 *
 * @throws SecretsEnvError `E_NOT_FOUND`, `E_ACCESS_DENIED`, `E_DECRYPTION`, `E_AWS` when it
 *   cannot be read; `E_NOT_JSON` when it is not a JSON object; `E_INVALID_SECRET_ID` /
 *   `E_INPUT` for bad input.
 *
 * @example
 * ```ts
 * const { arn, keys } = await readSecretKeys({ secretId: 'app/dev' });
 * const secrets = toEcsSecrets({ secretArn: arn, keys });
 * ```
 */
export async function readSecretKeys(options: ReadSecretKeysOptions): Promise<SecretKeys> {
  const { secretId, versionStage, versionId } = options;
  const parsed = parseSourceId(secretId);
  if (parsed.store === 'ssm') {
    throw new SecretsEnvError(
      'E_INVALID_SECRET_ID',
      `invalid secret id ${quoteInput(secretId)}: readSecretKeys reads a Secrets Manager JSON secret; an SSM parameter is referenced whole (loadEcsSecrets)`,
      { secretId },
    );
  }
  if (parsed.kind === 'prefix') {
    throw new SecretsEnvError(
      'E_INVALID_SECRET_ID',
      `invalid secret id ${quoteInput(secretId)}: name one secret, not a prefix`,
      { secretId },
    );
  }
  checkVersion(secretId, versionStage, versionId);
  options.signal?.throwIfAborted();
  const result = await withSecretsClient(options, (client) =>
    getSecretValue(
      client,
      {
        secretId: parsed.id,
        ...(versionStage === undefined ? {} : { versionStage }),
        ...(versionId === undefined ? {} : { versionId }),
      },
      options.signal,
    ),
  );
  options.signal?.throwIfAborted();
  if (!result.ok) throw failuresError([result.failure], '');
  const { value } = result;
  const parsedValue = parseJsonObject(value.text);
  if (parsedValue.object === undefined) {
    const reason = `not a JSON object (it holds ${parsedValue.holds}); ECS can reference keys only of a JSON secret`;
    throw new SecretsEnvError('E_NOT_JSON', `secret ${quoteInput(secretId)}: ${reason}`, {
      secretId,
      failures: [{ secretId, code: 'E_NOT_JSON', reason }],
    });
  }
  const keys = Object.keys(parsedValue.object);
  return {
    arn: value.arn,
    name: value.name,
    keys,
    ...(value.versionId === undefined ? {} : { versionId: value.versionId }),
  };
}
