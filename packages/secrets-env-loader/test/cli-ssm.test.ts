import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { fixtureClient, useAws } from '@berth/testkit';
import { parse } from 'dotenv';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.ts';

const aws = useAws();
// Each test starts the CLI a few times; on a loaded machine one start can take seconds.
vi.setConfig({ testTimeout: 240_000 });
let dir: string;
let secretArn: string;
const env = () => ({ ...aws.env, NO_COLOR: '1' });
const node = process.execPath;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-env-ssm-'));
  const ssm = fixtureClient(SSMClient, aws.clientConfig);
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  const put = (Name: string, Value: string, Type = 'String') =>
    ssm.send(new PutParameterCommand({ Name, Value, Type: Type as 'String', Overwrite: true }));
  await put('/svc/prod/DB_URL', 'postgres://CANARY-db-url-11');
  await put('/svc/prod/nested/api-key', 'CANARY-api-key-22', 'SecureString');
  await put('/svc/prod/hosts', 'h1,h2', 'StringList');
  await put('/svc/json/config', JSON.stringify({ token: 'CANARY-json-token-33', n: 1 }));
  secretArn = (
    await sm.send(
      new CreateSecretCommand({
        Name: 'svc/prod',
        SecretString: JSON.stringify({ DB_PASSWORD: 'CANARY-password-44', short: 'abc' }),
      }),
    )
  ).ARN as string;
  ssm.destroy();
  sm.destroy();
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  aws.proxy.resetStats();
});

describe('secrets-env with SSM sources', () => {
  it('keys: mixed SSM and Secrets Manager sources in one list', async () => {
    const run = await runCli(
      [
        'keys',
        '--secret',
        'svc/prod',
        '--secret',
        'ssm:/svc/prod/',
        '--secret',
        'ssm:/svc/prod/DB_URL=URL',
      ],
      env(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'DB_PASSWORD     svc/prod  key DB_PASSWORD',
        'SHORT           svc/prod  key short',
        'DB_URL          ssm:/svc/prod/DB_URL',
        'HOSTS           ssm:/svc/prod/hosts',
        'NESTED_API_KEY  ssm:/svc/prod/nested/api-key',
        'URL             ssm:/svc/prod/DB_URL',
        '',
      ].join('\n'),
    );
    expect(aws.proxy.stats().byOperation).toEqual({
      BatchGetSecretValue: 1,
      GetParameters: 1,
      GetParametersByPath: 1,
    });
  });

  it('dotenv: StringList comma-joined, --expand-json for JSON parameters', async () => {
    const plain = await runCli(
      ['dotenv', '--secret', 'ssm:/svc/prod/hosts', '--secret', 'ssm:/svc/json/*'],
      env(),
    );
    expect(plain.code).toBe(0);
    expect(parse(plain.stdout)).toEqual({
      HOSTS: 'h1,h2',
      CONFIG: JSON.stringify({ token: 'CANARY-json-token-33', n: 1 }),
    });
    const expanded = await runCli(
      ['dotenv', '--secret', 'ssm:/svc/json/config', '--expand-json'],
      env(),
    );
    expect(parse(expanded.stdout)).toEqual({ TOKEN: 'CANARY-json-token-33', N: '1' });
  });

  it('exits 1 naming a missing parameter; 2 for a bad SSM id', async () => {
    const missing = await runCli(
      ['keys', '--secret', 'ssm:/svc/prod/NOPE', '--secret', 'svc/prod'],
      env(),
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('parameter "ssm:/svc/prod/NOPE": no such parameter');
    expect(missing.stdout).toBe('');
    const bad = await runCli(['keys', '--secret', 'ssm:/svc/*/x'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('invalid SSM parameter source');
  });

  it('ecs-secrets: parameter ARNs as valueFrom, beside JSON secret keys', async () => {
    const run = await runCli(
      [
        'ecs-secrets',
        '--secret',
        'svc/prod=APP',
        '--secret',
        'ssm:/svc/prod/',
        '--secret',
        'ssm:/svc/json/config=CFG',
      ],
      env(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const arn = (name: string) =>
      expect.stringMatching(new RegExp(`^arn:aws:ssm:us-east-1:\\d{12}:parameter${name}$`));
    expect(JSON.parse(run.stdout)).toEqual([
      { name: 'APP_DB_PASSWORD', valueFrom: `${secretArn}:DB_PASSWORD::` },
      { name: 'APP_SHORT', valueFrom: `${secretArn}:short::` },
      { name: 'DB_URL', valueFrom: arn('/svc/prod/DB_URL') },
      { name: 'HOSTS', valueFrom: arn('/svc/prod/hosts') },
      { name: 'NESTED_API_KEY', valueFrom: arn('/svc/prod/nested/api-key') },
      { name: 'CFG', valueFrom: arn('/svc/json/config') },
    ]);
    expect(run.stdout).not.toContain('CANARY');

    const file = join(dir, 'task.json');
    await writeFile(file, JSON.stringify({ containerDefinitions: [{ name: 'web' }] }));
    const merged = await runCli(
      ['ecs-secrets', '--secret', 'ssm:/svc/prod/DB_URL', '--task-definition', file, '--json'],
      env(),
    );
    expect(merged.code).toBe(0);
    expect(JSON.parse(await readFile(file, 'utf8')).containerDefinitions[0].secrets).toEqual([
      { name: 'DB_URL', valueFrom: expect.stringContaining(':parameter/svc/prod/DB_URL') },
    ]);
    const missing = await runCli(['ecs-secrets', '--secret', 'ssm:/svc/none/'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no parameter under the path "/svc/none/"');
  });
});

describe('secrets-env exec --mask-output', () => {
  const ALL = [
    '--secret',
    'svc/prod',
    '--secret',
    'ssm:/svc/prod/',
    '--secret',
    'ssm:/svc/json/config',
  ];

  it('replaces loaded values in stdout and stderr, also split across writes', async () => {
    const js = `
      const out = (s) => new Promise((r) => process.stdout.write(s, r));
      const wait = () => new Promise((r) => setTimeout(r, 30));
      (async () => {
        await out('url=' + process.env.DB_URL + '\\n');
        const v = process.env.DB_PASSWORD;
        await out('pw=' + v.slice(0, 7)); await wait(); await out(v.slice(7) + ' short=' + process.env.SHORT + '\\n');
        process.stderr.write('key ' + process.env.NESTED_API_KEY + '\\n');
        process.stdout.write(Buffer.from([0, 255, 10]));
        await out('json=' + process.env.CONFIG + '\\n');
        process.exit(7);
      })();`;
    const run = await runCli(['exec', ...ALL, '--mask-output', '--', node, '-e', js], env());
    expect(run.stderr).toBe('key ***\n');
    expect(run.code).toBe(7);
    expect(run.stdout).toBe('url=***\npw=*** short=abc\n\u0000\ufffd\njson=***\n');
    expect(run.stdout).not.toContain('CANARY');
  });

  it('is off by default, and keeps 128+n and signal forwarding', async () => {
    const plain = await runCli(
      [
        'exec',
        '--secret',
        'ssm:/svc/prod/DB_URL',
        '--',
        node,
        '-e',
        'console.log(process.env.DB_URL)',
      ],
      env(),
    );
    expect(plain.stdout).toBe('postgres://CANARY-db-url-11\n');
    const killed = await runCli(
      ['exec', ...ALL, '--mask-output', '--', node, '-e', `process.kill(process.pid, 'SIGKILL')`],
      env(),
    );
    expect(killed.code).toBe(137);
    const marker = join(dir, 'started');
    const forwarded = await runCli(
      [
        'exec',
        ...ALL,
        '--mask-output',
        '--',
        node,
        '-e',
        `require('fs').writeFileSync(${JSON.stringify(marker)}, ''); process.on('SIGTERM', () => { console.log('bye ' + process.env.DB_URL); process.exit(42); }); setTimeout(() => {}, 30000)`,
      ],
      env(),
      {
        onSpawn: (child) => {
          const poll = setInterval(() => {
            if (existsSync(marker)) {
              clearInterval(poll);
              child.kill('SIGTERM');
            }
          }, 20);
        },
      },
    );
    expect(forwarded.code).toBe(42);
    expect(forwarded.stdout).toBe('bye ***\n');
  });
});
