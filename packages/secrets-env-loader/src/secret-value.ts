/** One secret value as Secrets Manager returned it (never logged). */
export interface SecretValue {
  arn: string;
  name: string;
  versionId?: string;
  /** `SecretString`, when the secret holds text. */
  text?: string;
  /** `SecretBinary`, when the secret holds bytes. */
  binary?: Uint8Array;
}

/** Reads the fields Berth uses from a GetSecretValue / BatchGetSecretValue entry. */
export function toSecretValue(
  entry: {
    ARN?: string | undefined;
    Name?: string | undefined;
    VersionId?: string | undefined;
    SecretString?: string | undefined;
    SecretBinary?: Uint8Array | undefined;
  },
  fallbackId: string,
): SecretValue {
  return {
    arn: entry.ARN ?? fallbackId,
    name: entry.Name ?? fallbackId,
    ...(entry.VersionId === undefined ? {} : { versionId: entry.VersionId }),
    ...(entry.SecretString === undefined ? {} : { text: entry.SecretString }),
    ...(entry.SecretBinary === undefined ? {} : { binary: entry.SecretBinary }),
  };
}
