import { ListSecretsCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { collectAll } from '@berth/internal';

/** A secret found under a prefix. */
export interface ListedSecret {
  name: string;
  arn: string;
}

/**
 * Every secret whose name starts with `prefix` (case-sensitive, as names are), sorted by
 * name, following ListSecrets pages. The service-side `name` filter narrows the listing;
 * the exact prefix test is done here because the service matches more loosely.
 */
export async function listSecretsByPrefix(
  client: SecretsManagerClient,
  prefix: string,
  signal?: AbortSignal,
): Promise<ListedSecret[]> {
  const found = new Map<string, ListedSecret>();
  const listed = await collectAll(async (token) => {
    const page = await client.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        MaxResults: 100,
        ...(token ? { NextToken: token } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    return { items: page.SecretList ?? [], next: page.NextToken || undefined };
  });
  for (const s of listed) {
    if (s.Name?.startsWith(prefix) && s.ARN) found.set(s.ARN, { name: s.Name, arn: s.ARN });
  }
  return [...found.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
