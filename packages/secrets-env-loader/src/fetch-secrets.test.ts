import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mapLimit } from '@berth/internal';
import { fixtureClient, startHttpServer, useAws } from '@berth/testkit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fetchSecrets } from './fetch-secrets.ts';
import { loadSecrets } from './load-secrets.ts';
import { readSecretKeys } from './read-secret-keys.ts';

const aws = useAws();
const arnOf = (name: string) =>
  `arn:aws:secretsmanager:us-east-1:123456789012:secret:${name}-AbC123`;

beforeAll(async () => {
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
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

beforeEach(() => {
  aws.proxy.clearFaults();
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

describe('fetchSecrets when a whole batch call fails', () => {
  it('reads the chunk one by one when one secret fails the call, naming only that one', async () => {
    // Real AWS may fail the whole call for one bad id instead of listing it in Errors.
    aws.proxy.fail({
      operation: 'BatchGetSecretValue',
      error: { code: 'ResourceNotFoundException', message: "can't find the specified secret" },
    });
    const logs: string[] = [];
    const client = new SecretsManagerClient(aws.clientConfig);
    const { result: error, stats } = await aws.proxy.measure(() =>
      loadSecrets({
        secrets: ['chunk/c00', 'chunk/missing', 'chunk/c01'],
        client,
        log: (m) => logs.push(m),
      }).catch((e: unknown) => e),
    );
    expect(error).toMatchObject({
      code: 'E_NOT_FOUND',
      failures: [expect.objectContaining({ secretId: 'chunk/missing', code: 'E_NOT_FOUND' })],
    });
    expect(stats.byOperation).toEqual({ BatchGetSecretValue: 1, GetSecretValue: 3 });
    expect(logs.join('\n')).toContain('reading its 3 secrets one by one');
  });
});

describe('an answer the SDK cannot parse', () => {
  it('is reported without the text, which may hold secret values', async () => {
    // A misbehaving endpoint or proxy: JSON.parse's message would quote the value.
    const server = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        `{"SecretValues":[{"ARN":"${arnOf('x')}","Name":"x","SecretString":CANARY-unparsed-9z8y}]}`,
      );
    });
    const client = new SecretsManagerClient({
      ...aws.clientConfig,
      endpoint: server.url,
      maxAttempts: 1,
    });
    try {
      const error = await loadSecrets({ secrets: ['x', 'y'], client }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'E_AWS' });
      const text = `${(error as Error).message} ${JSON.stringify(error)}`;
      expect(text).toContain('could not be read');
      expect(text).not.toContain('CANARY');
      const keys = await readSecretKeys({ secretId: 'x', client }).catch((e: unknown) => e);
      expect((keys as Error).message).toContain('could not be read');
      expect((keys as Error).message).not.toContain('CANARY');
    } finally {
      client.destroy();
      await server.close();
    }
  });
});

/** A client whose `send` answers from a script: for what the emulator cannot show. */
function fakeClient(handler: (command: unknown) => unknown): SecretsManagerClient {
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  client.send = (async (command: unknown) => handler(command)) as SecretsManagerClient['send'];
  return client;
}

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

  it('gives a per-secret error reported by ARN to the name that was asked for', async () => {
    const client = fakeClient(() => ({
      SecretValues: [{ ARN: arnOf('a'), Name: 'a', SecretString: 'x' }],
      Errors: [
        { SecretId: arnOf('prod/db'), ErrorCode: 'AccessDeniedException', Message: 'denied' },
      ],
    }));
    const results = await fetchSecrets(client, [{ secretId: 'a' }, { secretId: 'prod/db' }]);
    expect(results.map((r) => (r.ok ? 'ok' : `${r.failure.secretId} ${r.failure.code}`))).toEqual([
      'ok',
      'prod/db E_ACCESS_DENIED',
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
