import type { Secret } from '@aws-sdk/client-ecs';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { readSecretKeys, toEcsSecrets } from '@berth/secrets-env-loader';
import { PreviewEnvError } from './errors.ts';

/** A JSON secret whose keys become `secrets` entries of the container. */
export interface SecretsSource {
  /** Name or ARN of the secret. */
  secretId: string;
  /** Version stage to pin (e.g. `AWSCURRENT`); not with `versionId`. */
  versionStage?: string;
  /** Version id to pin; not with `versionStage`. */
  versionId?: string;
}

/** Accepts `app/dev` or a full {@link SecretsSource}. */
export function secretsSource(
  value: string | SecretsSource | undefined,
): SecretsSource | undefined {
  if (value === undefined) return undefined;
  const source = typeof value === 'string' ? { secretId: value } : value;
  if (!source.secretId || source.secretId.trim() === '') {
    throw new PreviewEnvError(
      'E_INPUT',
      'secretsFrom: the secret id is empty; pass a secret name or ARN',
    );
  }
  if (source.versionStage && source.versionId) {
    throw new PreviewEnvError('E_INPUT', 'secretsFrom: give versionStage or versionId, not both');
  }
  return source;
}

/**
 * One ECS `secrets` entry per JSON key of the secret, through @berth/secrets-env-loader:
 * only the key names are read, the values stay in Secrets Manager and reach the task at start.
 */
export async function secretEntries(
  source: SecretsSource,
  client: SecretsManagerClient,
): Promise<Secret[]> {
  const read = await readSecretKeys({
    secretId: source.secretId,
    ...(source.versionStage ? { versionStage: source.versionStage } : {}),
    ...(source.versionId ? { versionId: source.versionId } : {}),
    client,
  });
  return toEcsSecrets({
    secretArn: read.arn,
    keys: read.keys,
    ...(source.versionStage ? { versionStage: source.versionStage } : {}),
    ...(source.versionId ? { versionId: source.versionId } : {}),
  });
}
