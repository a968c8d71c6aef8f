import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type GetParametersCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mapLimit } from '@berth/internal';
import { fakeClock, fixtureClient, useAws } from '@berth/testkit';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsEnvError } from './errors.ts';
import { loadEcsSecrets } from './load-ecs-secrets.ts';
import { loadSecrets } from './load-secrets.ts';

const aws = useAws();
let ssm: SSMClient;

async function put(
  Name: string,
  Value: string,
  Type: 'String' | 'StringList' | 'SecureString' = 'String',
): Promise<void> {
  await ssm.send(new PutParameterCommand({ Name, Value, Type, Overwrite: true }));
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

beforeAll(async () => {
  // Set-up retries the emulator's HTML 500 under load, with bounded concurrency (issue 12).
  ssm = fixtureClient(SSMClient, aws.clientConfig);
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  await put('/app/prod/DB_URL', 'postgres://db.internal/app');
  await put('/app/prod/api-key', 'k-123456', 'SecureString');
  await put('/app/prod/hosts', 'a.internal,b.internal', 'StringList');
  await put('/app/prod/nested/API_KEY', 'nested-key');
  await put('/app/prod/nested/deeper/token-x', 'deep-token');
  await put('/app/prod/config', JSON.stringify({ host: 'h', port: 5432, tls: { on: true } }));
  await put('/app/production/NOT_UNDER', 'nope');
  await put('PLAIN', 'top-level');
  await mapLimit(
    Array.from({ length: 23 }, (_, i) => i),
    4,
    (i) => put(`/paged/p${String(i).padStart(2, '0')}`, `v${i}`),
  );
  await mapLimit(
    Array.from({ length: 25 }, (_, i) => i),
    4,
    (i) => put(`/many/m${String(i).padStart(2, '0')}`, `m${i}`),
  );
  await sm.send(
    new CreateSecretCommand({
      Name: 'app/prod',
      SecretString: JSON.stringify({ DB_PASSWORD: 'pw-1', DB_URL: 'from-secret' }),
    }),
  );
  sm.destroy();
}, 120_000);

beforeEach(() => {
  aws.proxy.clearFaults();
});

/** Calls made while `fn` ran, and only those: counts that no other test's calls can change. */
const measured = <T>(fn: () => Promise<T>) => aws.proxy.measure(fn);

describe('SSM parameters as sources', () => {
  it('loads single parameters by name, ARN and alias: last segment, - to _', async () => {
    const {
      result: { vars, sources },
      stats,
    } = await measured(() =>
      loadSecrets({
        secrets: [
          'ssm:/app/prod/DB_URL',
          'ssm:/app/prod/api-key',
          { id: 'ssm:PLAIN', alias: 'TOP' },
        ],
      }),
    );
    expect(vars).toEqual({
      DB_URL: 'postgres://db.internal/app',
      API_KEY: 'k-123456',
      TOP: 'top-level',
    });
    expect(sources.API_KEY).toMatchObject({
      secretId: 'ssm:/app/prod/api-key',
      store: 'ssm',
      secretName: '/app/prod/api-key',
      parameterType: 'SecureString',
    });
    expect(sources.DB_URL?.secretArn).toMatch(
      /^arn:aws:ssm:us-east-1:\d{12}:parameter\/app\/prod\/DB_URL$/,
    );
    expect(stats.byOperation).toEqual({ GetParameters: 1 });
  });

  it('reads a parameter by ARN, as real AWS answers it (moto answers ARNs as invalid)', async () => {
    const arn = 'arn:aws:ssm:us-east-1:123456789012:parameter/shared/DB_URL';
    const asked: string[][] = [];
    const client = new SSMClient({ region: 'us-east-1' });
    client.send = (async (command: GetParametersCommand) => {
      asked.push(command.input.Names ?? []);
      // Real AWS names a parameter asked for by ARN with the ARN.
      return {
        Parameters: [{ Name: arn, ARN: arn, Type: 'String', Value: 'shared-url', Version: 3 }],
        InvalidParameters: [],
      };
    }) as unknown as SSMClient['send'];
    const { vars, sources } = await loadSecrets({
      secrets: [arn, { id: `ssm:${arn}`, alias: 'URL' }],
      clients: { ssm: client },
    });
    expect(asked).toEqual([[arn]]);
    expect(vars).toEqual({ DB_URL: 'shared-url', URL: 'shared-url' });
    expect(sources.DB_URL).toMatchObject({
      secretName: '/shared/DB_URL',
      secretArn: arn,
      versionId: '3',
    });
  });

  it('decrypts SecureString and keeps a StringList comma-joined', async () => {
    const { vars } = await loadSecrets({
      secrets: ['ssm:/app/prod/api-key', 'ssm:/app/prod/hosts'],
    });
    expect(vars).toEqual({ API_KEY: 'k-123456', HOSTS: 'a.internal,b.internal' });
  });

  it('loads a path recursively, naming variables by the path below it', async () => {
    for (const id of ['ssm:/app/prod/', 'ssm:/app/prod/*']) {
      const { vars, sources } = await loadSecrets({ secrets: [id] });
      expect(vars).toEqual({
        API_KEY: 'k-123456',
        CONFIG: JSON.stringify({ host: 'h', port: 5432, tls: { on: true } }),
        DB_URL: 'postgres://db.internal/app',
        HOSTS: 'a.internal,b.internal',
        NESTED_API_KEY: 'nested-key',
        NESTED_DEEPER_TOKEN_X: 'deep-token',
      });
      expect(sources.NESTED_API_KEY).toMatchObject({
        secretId: id,
        secretName: '/app/prod/nested/API_KEY',
      });
    }
    const aliased = await loadSecrets({ secrets: [{ id: 'ssm:/app/prod/nested/', alias: 'N' }] });
    expect(aliased.vars).toEqual({ N_API_KEY: 'nested-key', N_DEEPER_TOKEN_X: 'deep-token' });
  });

  it('follows GetParametersByPath pages (10 a page) past 10 parameters', async () => {
    const {
      result: { vars },
      stats,
    } = await measured(() => loadSecrets({ secrets: ['ssm:/paged/'] }));
    expect(Object.keys(vars)).toHaveLength(23);
    expect(vars.P22).toBe('v22');
    expect(stats.byOperation).toEqual({ GetParametersByPath: 3 });
  });

  it('expands a JSON parameter only with expandJson (or json: true)', async () => {
    expect((await loadSecrets({ secrets: ['ssm:/app/prod/config'] })).vars).toEqual({
      CONFIG: JSON.stringify({ host: 'h', port: 5432, tls: { on: true } }),
    });
    const expanded = await loadSecrets({
      secrets: [{ id: 'ssm:/app/prod/config', alias: 'CFG' }, 'ssm:/app/prod/DB_URL'],
      expandJson: true,
    });
    expect(expanded.vars).toEqual({
      CFG_HOST: 'h',
      CFG_PORT: '5432',
      CFG_TLS_ON: 'true',
      DB_URL: 'postgres://db.internal/app',
    });
    expect(expanded.sources.CFG_TLS_ON?.jsonPath).toEqual(['tls', 'on']);
    // Under a path, an expanded value keeps the parameter's name in front of its keys.
    const underPath = await loadSecrets({ secrets: ['ssm:/app/prod/'], expandJson: true });
    expect(underPath.vars).toMatchObject({ CONFIG_HOST: 'h', CONFIG_TLS_ON: 'true' });
    expect(
      (await failure(loadSecrets({ secrets: [{ id: 'ssm:/app/prod/DB_URL', json: true }] }))).code,
    ).toBe('E_NOT_JSON');
  });

  it('fails naming every missing parameter, all or nothing', async () => {
    const error = await failure(
      loadSecrets({
        secrets: ['app/prod', 'ssm:/app/prod/DB_URL', 'ssm:/app/prod/MISSING', 'ssm:/nope/x'],
        onConflict: 'last-wins',
      }),
    );
    expect(error.code).toBe('E_NOT_FOUND');
    expect(error.failures.map((f) => f.secretId)).toEqual(['ssm:/app/prod/MISSING', 'ssm:/nope/x']);
    expect(error.message).toContain('parameter "ssm:/app/prod/MISSING": no such parameter');
    expect(error.message).toContain('nothing was loaded');
    expect(error.message).not.toContain('postgres://');
    const emptyPath = await failure(loadSecrets({ secrets: ['ssm:/nothing/here/'] }));
    expect(emptyPath.code).toBe('E_NOT_FOUND');
    expect(emptyPath.message).toContain('no parameter under the path "/nothing/here/"');
    // A path written without its trailing slash is one parameter: the message says how to ask for the path.
    const notAPath = await failure(loadSecrets({ secrets: ['ssm:/app/prod'] }));
    expect(notAPath.message).toContain('end it with / or /*');
  });

  it('mixes SSM and Secrets Manager in one call: GetParameters in 10s, all in parallel', async () => {
    const client = new SSMClient(aws.clientConfig);
    const sizes: number[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { Names?: string[] };
        if (input.Names) sizes.push(input.Names.length);
        return next(args);
      },
      { step: 'initialize' },
    );
    const names = Array.from({ length: 25 }, (_, i) => `ssm:/many/m${String(i).padStart(2, '0')}`);
    const {
      result: { vars, sources },
      stats,
    } = await measured(() =>
      loadSecrets({ secrets: ['app/prod', ...names], clients: { ssm: client } }),
    );
    client.destroy();
    expect(Object.keys(vars)).toHaveLength(27);
    expect(sources.DB_PASSWORD?.store).toBe('secretsmanager');
    expect(sources.M24?.store).toBe('ssm');
    expect(sizes.sort((a, b) => a - b)).toEqual([5, 10, 10]);
    expect(stats.byOperation).toEqual({ BatchGetSecretValue: 1, GetParameters: 3 });
    expect(stats.rounds).toBe(1);
  });

  it('reports a parameter and a secret giving one variable as a conflict, unless last-wins', async () => {
    const error = await failure(loadSecrets({ secrets: ['app/prod', 'ssm:/app/prod/DB_URL'] }));
    expect(error.code).toBe('E_CONFLICT');
    expect(error.message).toMatch(
      /DB_URL comes from both secret "app\/prod".*parameter "\/app\/prod\/DB_URL"/,
    );
    const { vars } = await loadSecrets({
      secrets: ['app/prod', 'ssm:/app/prod/DB_URL'],
      onConflict: 'last-wins',
    });
    expect(vars.DB_URL).toBe('postgres://db.internal/app');
  });

  it('does not call one source listed twice a conflict', async () => {
    const { vars } = await loadSecrets({
      secrets: [
        'ssm:/app/prod/DB_URL',
        'ssm:/app/prod/',
        { id: 'app/prod', alias: 'S' },
        { id: 'sm:app/prod', alias: 'S' },
      ],
    });
    expect(vars.DB_URL).toBe('postgres://db.internal/app');
    expect(vars.S_DB_PASSWORD).toBe('pw-1');
  });

  it('tries throttled SSM calls again with backoff', async () => {
    aws.proxy.fail({
      operation: 'GetParametersByPath',
      nth: 2,
      times: 3,
      error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
    });
    aws.proxy.fail({
      operation: 'GetParameters',
      times: 2,
      error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
    });
    const clock = fakeClock({ mode: 'instant' });
    const logs: string[] = [];
    const {
      result: { vars },
      stats,
    } = await measured(() =>
      loadSecrets({
        secrets: ['ssm:/paged/', 'ssm:/app/prod/DB_URL'],
        clients: { ssm: new SSMClient(aws.clientConfig) },
        clock,
        log: (m) => logs.push(m),
      }),
    );
    expect(Object.keys(vars)).toHaveLength(24);
    expect(stats.byOperation).toEqual({ GetParametersByPath: 6, GetParameters: 3 });
    expect(clock.slept).toHaveLength(5);
    expect(logs.join('\n')).toContain('GetParametersByPath: throttled (ThrottlingException)');
  });

  it('gives up on throttling after a bounded number of attempts, retryable', async () => {
    aws.proxy.fail({
      operation: 'GetParameters',
      error: { code: 'ThrottlingException', message: 'Rate exceeded', status: 400 },
    });
    const { result: error, stats } = await measured(() =>
      failure(
        loadSecrets({
          secrets: ['ssm:/app/prod/DB_URL'],
          clients: { ssm: new SSMClient(aws.clientConfig) },
          clock: fakeClock({ mode: 'instant' }),
        }),
      ),
    );
    expect(error.code).toBe('E_AWS');
    expect(error.retryable).toBe(true);
    expect(stats.byOperation).toEqual({ GetParameters: 8 });
  });

  it('names the permission when SSM denies access', async () => {
    aws.proxy.fail({
      operation: 'GetParametersByPath',
      error: {
        code: 'AccessDeniedException',
        message: 'not authorized to perform ssm:GetParametersByPath',
      },
    });
    const error = await failure(loadSecrets({ secrets: ['ssm:/app/prod/'] }));
    expect(error.code).toBe('E_ACCESS_DENIED');
    expect(error.message).toContain('allow ssm:GetParametersByPath');
    expect(error.message).toContain('kms:Decrypt');
  });

  it('refuses bad SSM ids and version flags before any AWS call', async () => {
    const cases: [Parameters<typeof loadSecrets>[0], string][] = [
      [{ secrets: ['ssm:'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:/'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:/*'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:/a/*/b'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:a/b'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:/a b'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['ssm:/a//b'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['arn:aws:ssm:us-east-1:123456789012:document/x'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: ['sm:ab*'] }, 'E_INVALID_SECRET_ID'],
      [{ secrets: [{ id: 'ssm:/a/b', versionStage: 'AWSPREVIOUS' }] }, 'E_INPUT'],
      [{ secrets: ['ssm:/a/b'], region: 'x y' }, 'E_INPUT'],
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

describe('loadEcsSecrets', () => {
  it('lists SSM parameters by ARN without decrypting them, beside JSON secret keys', async () => {
    const client = new SSMClient(aws.clientConfig);
    const decrypt: unknown[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        decrypt.push((args.input as { WithDecryption?: boolean }).WithDecryption);
        return next(args);
      },
      { step: 'initialize' },
    );
    const { result, stats } = await measured(() =>
      loadEcsSecrets({
        secrets: [
          { id: 'app/prod', alias: 'S' },
          'ssm:/app/prod/api-key',
          { id: 'ssm:/app/prod/nested/', alias: 'N' },
        ],
        clients: { ssm: client },
      }),
    );
    client.destroy();
    expect(result.map((s) => s.name)).toEqual([
      'S_DB_PASSWORD',
      'S_DB_URL',
      'API_KEY',
      'N_API_KEY',
      'N_DEEPER_TOKEN_X',
    ]);
    expect(result[2]?.valueFrom).toMatch(/:parameter\/app\/prod\/api-key$/);
    expect(decrypt).toEqual([false, false]);
    expect(stats.byOperation).toEqual({
      GetSecretValue: 1,
      GetParameters: 1,
      GetParametersByPath: 1,
    });
  });

  it('refuses a prefix set, and two entries with one name', async () => {
    await expect(loadEcsSecrets({ secrets: ['app/*'] })).rejects.toMatchObject({
      code: 'E_INVALID_SECRET_ID',
    });
    await expect(
      loadEcsSecrets({ secrets: ['app/prod', 'ssm:/app/prod/DB_URL'] }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', message: expect.stringContaining('DB_URL') });
  });
});
