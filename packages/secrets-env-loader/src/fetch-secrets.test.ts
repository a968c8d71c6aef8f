import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mapLimit } from '@berth/internal';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { fetchSecrets } from './fetch-secrets.ts';
import { loadSecrets } from './load-secrets.ts';

const aws = useAws();

beforeAll(async () => {
  const sm = new SecretsManagerClient(aws.clientConfig);
  await mapLimit(
    Array.from({ length: 41 }, (_, i) => i),
    8,
    (i) =>
      sm.send(
        new CreateSecretCommand({
          Name: `chunk/c${String(i).padStart(2, '0')}`,
          SecretString: `v${i}`,
        }),
      ),
  );
});

describe('fetchSecrets', () => {
  it('never sends more than 20 ids per batch call (moto does not enforce the limit)', async () => {
    const client = new SecretsManagerClient(aws.clientConfig);
    const sizes: number[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { SecretIdList?: string[] };
        if (input.SecretIdList) sizes.push(input.SecretIdList.length);
        return next(args);
      },
      { step: 'initialize' },
    );
    const ids = Array.from({ length: 41 }, (_, i) => `chunk/c${String(i).padStart(2, '0')}`);
    const results = await fetchSecrets(
      client,
      ids.map((secretId) => ({ secretId })),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(sizes.sort((a, b) => a - b)).toEqual([1, 20, 20]);
  });

  it('dedupes ids and maps name, ARN and partial ARN requests to the same value', async () => {
    const client = new SecretsManagerClient(aws.clientConfig);
    const one = await client.send(new GetSecretValueCommand({ SecretId: 'chunk/c00' }));
    const arn = one.ARN as string;
    const partial = arn.slice(0, -7);
    const results = await fetchSecrets(client, [
      { secretId: 'chunk/c00' },
      { secretId: arn },
      { secretId: partial },
      { secretId: 'chunk/c00' },
    ]);
    expect(results.map((r) => (r.ok ? r.value.text : r.failure.code))).toEqual([
      'v0',
      'v0',
      'v0',
      'v0',
    ]);
  });
});

/** A client whose `send` answers from a script: for what the emulator cannot show. */
function fakeClient(handler: (command: unknown) => unknown): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  client.send = (async (command: unknown) => handler(command)) as SecretsManagerClient['send'];
  return client;
}

const arnOf = (name: string) =>
  `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbC123`;

describe('fetchSecrets with a scripted client (real AWS behaviour moto lacks)', () => {
  it('follows NextToken of a batch call and maps per-secret IAM and KMS errors', async () => {
    const seen: (string | undefined)[] = [];
    const client = fakeClient((command) => {
      if (!(command instanceof BatchGetSecretValueCommand)) throw new Error('unexpected command');
      seen.push(command.input.NextToken);
      if (!command.input.NextToken) {
        return {
          SecretValues: [{ ARN: arnOf('a'), Name: 'a', SecretString: '{"A":"1"}' }],
          Errors: [
            { SecretId: 'denied', ErrorCode: 'AccessDeniedException', Message: 'not authorized' },
          ],
          NextToken: 'page-2',
        };
      }
      return {
        SecretValues: [{ ARN: arnOf('b'), Name: 'b', SecretString: 'x' }],
        Errors: [{ SecretId: 'kms', ErrorCode: 'DecryptionFailure', Message: 'KMS key disabled' }],
      };
    });
    const results = await fetchSecrets(
      client,
      ['a', 'denied', 'b', 'kms', 'silent'].map((secretId) => ({ secretId })),
    );
    expect(seen).toEqual([undefined, 'page-2']);
    expect(results.map((r) => (r.ok ? 'ok' : r.failure.code))).toEqual([
      'ok',
      'E_ACCESS_DENIED',
      'ok',
      'E_DECRYPTION',
      'E_AWS',
    ]);
  });

  it('surfaces per-secret access denied from loadSecrets with the id and the permission to add', async () => {
    const client = fakeClient(() => ({
      SecretValues: [],
      Errors: [
        {
          SecretId: 'prod/db',
          ErrorCode: 'AccessDeniedException',
          Message: 'User is not authorized',
        },
      ],
    }));
    await expect(loadSecrets({ secrets: ['prod/db'], client })).rejects.toMatchObject({
      code: 'E_ACCESS_DENIED',
      message: expect.stringContaining(
        'secret "prod/db": access denied: allow secretsmanager:GetSecretValue',
      ),
    });
  });

  it('says which permission is missing when ListSecrets is denied for a prefix', async () => {
    const client = fakeClient(() => {
      throw Object.assign(new Error('not authorized to perform secretsmanager:ListSecrets'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      });
    });
    await expect(loadSecrets({ secrets: ['prod/*'], client })).rejects.toMatchObject({
      code: 'E_ACCESS_DENIED',
      message: expect.stringContaining('allow secretsmanager:ListSecrets'),
    });
  });
});
