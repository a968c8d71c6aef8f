import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { fixtureClient, useAws } from '@berth/testkit';
import { parse } from 'dotenv';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliRun, runCli } from './run-cli.ts';

// Every command runs with --verbose and BERTH_DEBUG (which prints error causes): no output
// may contain a secret value, except the .env that `dotenv` prints to stdout on purpose.
const aws = useAws();
// Each test starts the CLI a few times; on a loaded machine one start can take seconds.
vi.setConfig({ testTimeout: 240_000 });
const BINARY = Buffer.from('CANARY-binary-5e6f\u0000\u00ff', 'latin1');
const CANARIES = [
  'CANARY-json-7f3a',
  'CANARY-nested-91b2',
  'CANARY-multi-a',
  'CANARY-multi-b',
  'CANARY-plain-c4d5',
  'CANARY-conflict-e6f7',
  'CANARY-notjson-0a1b',
  'CANARY-binary-5e6f',
  BINARY.toString('base64'),
  'CANARY-ssm-secure-8c9d',
  'CANARY-ssm-json-2b3c',
];
let dir: string;
const env = () => ({ ...aws.env, NO_COLOR: '1', BERTH_DEBUG: '1' });

function expectClean(run: CliRun, streams: ('stdout' | 'stderr')[] = ['stdout', 'stderr']): void {
  for (const stream of streams) {
    for (const canary of CANARIES)
      expect(run[stream], `${stream} leaked ${canary}`).not.toContain(canary);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-env-canary-'));
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  const create = (Name: string, value: string | Uint8Array) =>
    sm.send(
      new CreateSecretCommand(
        typeof value === 'string' ? { Name, SecretString: value } : { Name, SecretBinary: value },
      ),
    );
  await create(
    'canary/json',
    JSON.stringify({
      API_TOKEN: 'CANARY-json-7f3a',
      NESTED: { deep: 'CANARY-nested-91b2' },
      MULTI: 'CANARY-multi-a\nCANARY-multi-b',
    }),
  );
  await create('canary/plain', 'CANARY-plain-c4d5');
  await create('canary/binary', BINARY);
  await create('canary/conflict', JSON.stringify({ API_TOKEN: 'CANARY-conflict-e6f7' }));
  await create('canary/notjson', '{"CANARY-notjson-0a1b": oops');
  const ssm = fixtureClient(SSMClient, aws.clientConfig);
  await ssm.send(
    new PutParameterCommand({
      Name: '/canary/ssm/secure',
      Value: 'CANARY-ssm-secure-8c9d',
      Type: 'SecureString',
    }),
  );
  await ssm.send(
    new PutParameterCommand({
      Name: '/canary/ssm/json',
      Value: JSON.stringify({ inner: 'CANARY-ssm-json-2b3c' }),
      Type: 'String',
    }),
  );
  ssm.destroy();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  aws.proxy.clearFaults();
});

const ALL = ['--secret', 'canary/json', '--secret', 'canary/plain', '--secret', 'canary/binary'];

describe('no secret value in any output', () => {
  it('keys (text and --json)', async () => {
    const text = await runCli(['keys', ...ALL, '--verbose'], env());
    expect(text.code).toBe(0);
    expect(text.stderr).toContain('loaded 5 variable(s)');
    expectClean(text);
    const json = await runCli(['keys', ...ALL, '--verbose', '--json'], env());
    expect(json.code).toBe(0);
    expectClean(json);
  });

  it('exec, with kept and overridden variables, and with the batch fallback', async () => {
    const child = ['--', process.execPath, '-e', 'process.exit(process.env.API_TOKEN ? 0 : 3)'];
    const kept = await runCli(['exec', ...ALL, '--verbose', ...child], {
      ...env(),
      API_TOKEN: 'mine',
    });
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain('API_TOKEN is already set');
    expectClean(kept);
    const override = await runCli(['exec', ...ALL, '--verbose', '--override', ...child], {
      ...env(),
      API_TOKEN: 'x',
    });
    expect(override.code).toBe(0);
    expectClean(override);
    aws.proxy.fail({ operation: 'BatchGetSecretValue', error: { code: 'AccessDeniedException' } });
    const fallback = await runCli(['exec', ...ALL, '--verbose', ...child], env());
    expect(fallback.code).toBe(0);
    expect(fallback.stderr).toContain('falling back to GetSecretValue');
    expectClean(fallback);
  });

  it('dotenv: values on stdout only, never on stderr; --out prints none', async () => {
    const printed = await runCli(['dotenv', ...ALL, '--verbose'], env());
    expect(printed.code).toBe(0);
    expect(parse(printed.stdout).API_TOKEN).toBe('CANARY-json-7f3a');
    expectClean(printed, ['stderr']);
    const written = await runCli(
      ['dotenv', ...ALL, '--verbose', '--out', join(dir, '.env'), '--json'],
      env(),
    );
    expect(written.code).toBe(0);
    expectClean(written);
  });

  it('ecs-secrets, printing and merging into a task definition', async () => {
    const printed = await runCli(['ecs-secrets', '--secret', 'canary/json', '--verbose'], env());
    expect(printed.code).toBe(0);
    expectClean(printed);
    const file = join(dir, 'task.json');
    await writeFile(file, JSON.stringify({ containerDefinitions: [{ name: 'web' }] }));
    const merged = await runCli(
      [
        'ecs-secrets',
        '--secret',
        'canary/json',
        '--container',
        'web',
        '--task-definition',
        file,
        '--verbose',
        '--json',
      ],
      env(),
    );
    expect(merged.code).toBe(0);
    expectClean(merged);
  });

  it('errors: conflict, not JSON, not found, access denied', async () => {
    const conflict = await runCli(
      ['keys', '--secret', 'canary/json', '--secret', 'canary/conflict', '--verbose'],
      env(),
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('API_TOKEN comes from both');
    expectClean(conflict);
    const notJson = await runCli(['ecs-secrets', '--secret', 'canary/notjson', '--verbose'], env());
    expect(notJson.code).toBe(1);
    expectClean(notJson);
    const dotenvFail = await runCli(
      ['dotenv', ...ALL, '--secret', 'canary/missing', '--verbose'],
      env(),
    );
    expect(dotenvFail.code).toBe(1);
    expectClean(dotenvFail);
    aws.proxy.fail({
      operation: 'GetSecretValue',
      error: { code: 'AccessDeniedException', message: 'denied' },
    });
    const denied = await runCli(
      [
        'exec',
        '--secret',
        'canary/json',
        '--version-stage',
        'AWSCURRENT',
        '--verbose',
        '--',
        'true',
      ],
      env(),
    );
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('access denied');
    expectClean(denied);
  });

  it('SSM parameters: keys, ecs-secrets, a missing parameter, denied, throttled', async () => {
    const keys = await runCli(
      ['keys', '--secret', 'ssm:/canary/ssm/', '--expand-json', '--verbose', '--json'],
      env(),
    );
    expect(keys.code).toBe(0);
    expectClean(keys);
    const ecs = await runCli(['ecs-secrets', '--secret', 'ssm:/canary/ssm/', '--verbose'], env());
    expect(ecs.code).toBe(0);
    expectClean(ecs);
    const missing = await runCli(
      [
        'exec',
        '--secret',
        'ssm:/canary/ssm/',
        '--secret',
        'ssm:/canary/nope',
        '--verbose',
        '--',
        'true',
      ],
      env(),
    );
    expect(missing.code).toBe(1);
    expectClean(missing);
    aws.proxy.fail({
      operation: 'GetParametersByPath',
      error: { code: 'AccessDeniedException', message: 'denied' },
    });
    const denied = await runCli(['dotenv', '--secret', 'ssm:/canary/ssm/', '--verbose'], env());
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('allow ssm:GetParametersByPath');
    expectClean(denied);
  });
});
