import {
  CreateSecretCommand,
  DeleteSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { mapLimit } from '@berth/internal';
import { fixtureClient, useAws } from '@berth/testkit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsEnvError } from './errors.ts';
import { loadSecrets } from './load-secrets.ts';
import { readSecretKeys } from './read-secret-keys.ts';

const aws = useAws();
let sm: SecretsManagerClient;

async function create(name: string, value: string | Uint8Array): Promise<string> {
  const out = await sm.send(
    new CreateSecretCommand(
      typeof value === 'string'
        ? { Name: name, SecretString: value }
        : { Name: name, SecretBinary: value },
    ),
  );
  return out.ARN as string;
}

async function failure(promise: Promise<unknown>): Promise<SecretsEnvError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(SecretsEnvError);
    return error as SecretsEnvError;
  }
  throw new Error('expected a SecretsEnvError');
}

let appDevArn: string;
beforeAll(async () => {
  // Set-up retries the emulator's HTML 500 under load, with bounded concurrency (issue 12).
  sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  appDevArn = await create(
    'app/dev',
    JSON.stringify({ DB_HOST: 'db.internal', DB_PASSWORD: 'pw-1', 'api-key': 'k' }),
  );
  await create(
    'app/nested',
    JSON.stringify({
      db: { host: 'h', port: 5432, replica: { host: 'r' } },
      flags: [1, 'two'],
      enabled: true,
      nothing: null,
      empty: {},
      '1st': 'first',
      'my-key.x': 'dots',
    }),
  );
  await create('app/dev/db-password', 'plain-password');
  await create('app/binary/cert', new Uint8Array([0, 1, 2, 250, 255]));
  await create('team/svc/a', JSON.stringify({ A_ONE: '1' }));
  await create('team/svc/b', JSON.stringify({ B_ONE: '2' }));
  await create('team/svc/token', 'tok');
  await create('team/svcx', JSON.stringify({ NOT_UNDER_PREFIX: 'x' }));
  await create('other/dev', JSON.stringify({ DB_HOST: 'other-host' }));
  await create('app/array', '[1,2,3]');
});

beforeEach(() => {
  aws.proxy.clearFaults();
});

/** Calls made while `fn` ran, and only those: counts that no other test's calls can change. */
const measured = <T>(fn: () => Promise<T>) => aws.proxy.measure(fn);

describe('loadSecrets against the emulator', () => {
  it('expands a JSON secret key by key and says where each variable came from', async () => {
    const {
      result: { vars, sources },
      stats,
    } = await measured(() => loadSecrets({ secrets: [{ id: 'app/dev' }] }));
    expect(vars).toEqual({ DB_HOST: 'db.internal', DB_PASSWORD: 'pw-1', API_KEY: 'k' });
    expect(sources.API_KEY).toMatchObject({
      secretId: 'app/dev',
      secretName: 'app/dev',
      secretArn: appDevArn,
      jsonPath: ['api-key'],
    });
    expect(stats.byOperation).toEqual({ BatchGetSecretValue: 1 });
  });

  it('joins nested keys with _ and keeps non-strings as JSON text', async () => {
    const { vars } = await loadSecrets({ secrets: ['app/nested'] });
    expect(vars).toEqual({
      DB_HOST: 'h',
      DB_PORT: '5432',
      DB_REPLICA_HOST: 'r',
      FLAGS: '[1,"two"]',
      ENABLED: 'true',
      NOTHING: 'null',
      _1ST: 'first',
      MY_KEY_X: 'dots',
    });
  });

  it('prefixes with an alias and keeps spelling with nameTransform none', async () => {
    const { vars } = await loadSecrets({
      secrets: [{ id: 'app/nested', alias: 'Svc' }],
      nameTransform: 'none',
    });
    expect(vars.Svc_db_replica_host).toBe('r');
    expect(vars.Svc_my_key_x).toBe('dots');
  });

  it('names a plain secret by its last path segment, or by its alias', async () => {
    expect((await loadSecrets({ secrets: ['app/dev/db-password'] })).vars).toEqual({
      DB_PASSWORD: 'plain-password',
    });
    expect(
      (await loadSecrets({ secrets: [{ id: 'app/dev/db-password', alias: 'PG_PASS' }] })).vars,
    ).toEqual({
      PG_PASS: 'plain-password',
    });
    // A JSON value that is not an object is plain text.
    expect((await loadSecrets({ secrets: ['app/array'] })).vars).toEqual({ ARRAY: '[1,2,3]' });
  });

  it('loads a binary secret as base64', async () => {
    const { vars } = await loadSecrets({ secrets: ['app/binary/cert'] });
    expect(vars).toEqual({ CERT: Buffer.from([0, 1, 2, 250, 255]).toString('base64') });
  });

  it('honours json: true (must be an object) and json: false (never expand)', async () => {
    const error = await failure(
      loadSecrets({ secrets: [{ id: 'app/dev/db-password', json: true }] }),
    );
    expect(error.code).toBe('E_NOT_JSON');
    expect(error.message).toContain('app/dev/db-password');
    expect(error.message).not.toContain('plain-password');
    expect(
      (await failure(loadSecrets({ secrets: [{ id: 'app/binary/cert', json: true }] }))).code,
    ).toBe('E_NOT_JSON');
    const { vars } = await loadSecrets({
      secrets: [{ id: 'app/dev', json: false, alias: 'WHOLE' }],
    });
    expect(JSON.parse(vars.WHOLE ?? '')).toMatchObject({ DB_HOST: 'db.internal' });
  });

  it('resolves a prefix set with ListSecrets, exactly, with the alias as prefix', async () => {
    const {
      result: { vars, sources },
      stats,
    } = await measured(() => loadSecrets({ secrets: [{ id: 'team/svc/*', alias: 'T' }] }));
    expect(vars).toEqual({ T_A_ONE: '1', T_B_ONE: '2', T_TOKEN: 'tok' });
    expect(sources.T_TOKEN).toMatchObject({ secretId: 'team/svc/*', secretName: 'team/svc/token' });
    expect(stats.byOperation).toEqual({ ListSecrets: 1, BatchGetSecretValue: 1 });
  });

  it('fails on a missing secret, naming it, and returns nothing', async () => {
    const error = await failure(loadSecrets({ secrets: ['app/dev', 'app/missing'] }));
    expect(error.code).toBe('E_NOT_FOUND');
    expect(error.message).toContain('secret "app/missing": not found');
    expect(error.message).toContain('nothing was loaded');
    expect(error.failures).toHaveLength(1);
    expect(error.exitCode).toBe(1);
  });

  it('reports every failed secret by id, from the batch Errors', async () => {
    const { result: error, stats } = await measured(() =>
      failure(loadSecrets({ secrets: ['app/missing-1', 'app/dev', 'app/missing-2'] })),
    );
    expect(error.failures.map((f) => [f.secretId, f.code])).toEqual([
      ['app/missing-1', 'E_NOT_FOUND'],
      ['app/missing-2', 'E_NOT_FOUND'],
    ]);
    expect(stats.byOperation).toEqual({ BatchGetSecretValue: 1 });
  });

  it('fails on a prefix that matches nothing', async () => {
    const error = await failure(loadSecrets({ secrets: ['nothing/here/*'] }));
    expect(error.code).toBe('E_NOT_FOUND');
    expect(error.message).toContain('nothing/here/*');
  });

  it('treats a secret scheduled for deletion as not found', async () => {
    await create('app/doomed', 'x');
    await sm.send(new DeleteSecretCommand({ SecretId: 'app/doomed', RecoveryWindowInDays: 7 }));
    const error = await failure(loadSecrets({ secrets: ['app/doomed'] }));
    expect(error.code).toBe('E_NOT_FOUND');
    expect(error.message).toContain('app/doomed');
  });

  it('fails on a conflict, naming the variable and both secrets, unless last-wins', async () => {
    const error = await failure(loadSecrets({ secrets: ['app/dev', 'other/dev'] }));
    expect(error.code).toBe('E_CONFLICT');
    expect(error.message).toMatch(/DB_HOST comes from both secret "app\/dev".*secret "other\/dev"/);
    expect(error.message).not.toContain('other-host');
    const { vars, sources } = await loadSecrets({
      secrets: ['app/dev', 'other/dev'],
      onConflict: 'last-wins',
    });
    expect(vars.DB_HOST).toBe('other-host');
    expect(sources.DB_HOST?.secretName).toBe('other/dev');
  });

  it('reads a version stage with GetSecretValue', async () => {
    await create('app/rotated', JSON.stringify({ TOKEN: 'old' }));
    await sm.send(
      new PutSecretValueCommand({
        SecretId: 'app/rotated',
        SecretString: JSON.stringify({ TOKEN: 'new' }),
      }),
    );
    const {
      result: { vars },
      stats,
    } = await measured(() =>
      loadSecrets({
        secrets: [{ id: 'app/rotated', versionStage: 'AWSPREVIOUS', alias: 'OLD' }, 'app/rotated'],
      }),
    );
    expect(vars).toEqual({ OLD_TOKEN: 'old', TOKEN: 'new' });
    expect(stats.byOperation).toEqual({ GetSecretValue: 1, BatchGetSecretValue: 1 });
    const missing = await failure(
      loadSecrets({ secrets: [{ id: 'app/dev', versionStage: 'NOPE' }] }),
    );
    expect(missing.code).toBe('E_NOT_FOUND');
  });

  it('loads 45 secrets under one prefix in 1 ListSecrets + 3 batch calls, 2 rounds', async () => {
    await mapLimit(
      Array.from({ length: 45 }, (_, i) => i),
      8,
      (i) =>
        create(`bulk/s${String(i).padStart(2, '0')}`, JSON.stringify({ [`KEY_${i}`]: `v${i}` })),
    );
    const {
      result: { vars },
      stats,
    } = await measured(() => loadSecrets({ secrets: ['bulk/*'] }));
    expect(Object.keys(vars)).toHaveLength(45);
    expect(vars.KEY_44).toBe('v44');
    expect(stats.byOperation).toEqual({ ListSecrets: 1, BatchGetSecretValue: 3 });
    expect(stats.rounds).toBe(2);
  });

  it('follows ListSecrets pages past 100 secrets', async () => {
    await mapLimit(
      Array.from({ length: 105 }, (_, i) => i),
      8,
      (i) => create(`paged/p${String(i).padStart(3, '0')}`, `v${i}`),
    );
    const {
      result: { vars },
      stats,
    } = await measured(() => loadSecrets({ secrets: ['paged/*'] }));
    expect(Object.keys(vars)).toHaveLength(105);
    expect(stats.byOperation).toEqual({ ListSecrets: 2, BatchGetSecretValue: 6 });
  });

  it('falls back to GetSecretValue per secret when the batch call is denied', async () => {
    aws.proxy.fail({ operation: 'BatchGetSecretValue', error: { code: 'AccessDeniedException' } });
    const logs: string[] = [];
    const {
      result: { vars },
      stats,
    } = await measured(() =>
      loadSecrets({ secrets: ['app/dev', 'team/svc/*'], log: (m) => logs.push(m) }),
    );
    expect(Object.keys(vars)).toEqual([
      'DB_HOST',
      'DB_PASSWORD',
      'API_KEY',
      'A_ONE',
      'B_ONE',
      'TOKEN',
    ]);
    expect(stats.byOperation).toEqual({
      ListSecrets: 1,
      BatchGetSecretValue: 1,
      GetSecretValue: 4,
    });
    expect(logs.join('\n')).toContain('falling back to GetSecretValue');
  });

  it('falls back when the batch call is not available, and still reports missing secrets', async () => {
    aws.proxy.fail({
      operation: 'BatchGetSecretValue',
      error: { code: 'UnknownOperationException' },
    });
    const { result: error, stats } = await measured(() =>
      failure(loadSecrets({ secrets: ['app/dev', 'app/missing'] })),
    );
    expect(error.failures.map((f) => f.secretId)).toEqual(['app/missing']);
    expect(stats.byOperation).toEqual({ BatchGetSecretValue: 1, GetSecretValue: 2 });
  });

  it('reports a whole-batch failure for each secret, retryable', async () => {
    aws.proxy.fail({
      operation: 'BatchGetSecretValue',
      error: { code: 'InternalServiceError', status: 500 },
    });
    const client = new SecretsManagerClient(aws.clientConfig);
    const error = await failure(loadSecrets({ secrets: ['app/dev', 'other/dev'], client }));
    expect(error.code).toBe('E_AWS');
    expect(error.retryable).toBe(true);
    expect(error.failures.map((f) => f.secretId)).toEqual(['app/dev', 'other/dev']);
  });

  it('rejects bad input before any AWS call', async () => {
    const cases: [Parameters<typeof loadSecrets>[0], string][] = [
      [{ secrets: [] }, 'E_INPUT'],
      [{ secrets: ['ab*'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['a*b'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: [{ id: 'app/*', versionId: 'v' }] }, 'E_INPUT'],
      [{ secrets: [{ id: 'app/dev', versionId: 'v', versionStage: 's' }] }, 'E_INPUT'],
      [{ secrets: [{ id: 'app/dev', alias: '9lives' }] }, 'E_INPUT'],
      [{ secrets: ['app/dev'], nameTransform: 'lower' as 'none' }, 'E_INPUT'],
    ];
    const { stats } = await measured(async () => {
      for (const [options, code] of cases) {
        const error = await failure(loadSecrets(options));
        expect(error.code, JSON.stringify(options)).toBe(code);
        expect(error.exitCode).toBe(2);
      }
    });
    expect(stats.total).toBe(0);
  });
});

describe('readSecretKeys against the emulator', () => {
  it('returns the full ARN and top-level keys, never values', async () => {
    const keys = await readSecretKeys({ secretId: 'app/dev' });
    expect(keys).toMatchObject({
      arn: appDevArn,
      name: 'app/dev',
      keys: ['DB_HOST', 'DB_PASSWORD', 'api-key'],
    });
    expect(JSON.stringify(keys)).not.toContain('pw-1');
    expect((await readSecretKeys({ secretId: 'app/nested' })).keys).toContain('db');
  });

  it('reads a version stage', async () => {
    expect(
      (await readSecretKeys({ secretId: 'app/rotated', versionStage: 'AWSPREVIOUS' })).keys,
    ).toEqual(['TOKEN']);
  });

  it('fails with stable codes and no values', async () => {
    const notJson = await failure(readSecretKeys({ secretId: 'app/dev/db-password' }));
    expect(notJson.code).toBe('E_NOT_JSON');
    expect(notJson.message).toContain('plain text');
    expect(notJson.message).not.toContain('plain-password');
    expect((await failure(readSecretKeys({ secretId: 'app/array' }))).message).toContain(
      'a JSON array',
    );
    expect((await failure(readSecretKeys({ secretId: 'app/missing' }))).code).toBe('E_NOT_FOUND');
    expect((await failure(readSecretKeys({ secretId: 'app/*' }))).code).toBe('E_INVALID_SECRET_ID');
  });
});
