import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fixtureClient, useAws } from '@berth/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CliRun, runCli } from './run-cli.ts';

// Issue 13: input and AWS text printed on one line, and inputs refused or accepted as a user
// would expect.
const aws = useAws();
// Each test starts the CLI a few times; on a loaded machine one start can take seconds.
vi.setConfig({ testTimeout: 240_000 });
let dir: string;
let arn: string;
const env = () => ({ ...aws.env, NO_COLOR: '1' });

/** No line of the output can be read by the runner as a workflow command. */
function expectNoWorkflowCommand(run: CliRun): void {
  for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
    expect(line, line).not.toMatch(/^\s*(::|##\[)/);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-env-hardening-'));
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  const create = async (Name: string, SecretString: string) =>
    (await sm.send(new CreateSecretCommand({ Name, SecretString }))).ARN as string;
  await create('hard/app', JSON.stringify({ DB_HOST: 'h', 'a\n::add-mask::x': 'v' }));
  arn = await create('hard/ecs', JSON.stringify({ DB_HOST: 'h', 'x\ny': 'v' }));
  await create('hard/colon', JSON.stringify({ 'b\n::stop-commands::y:z': 'v' }));
  sm.destroy();
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  aws.proxy.resetStats();
});

describe('workflow-command injection (issue 13 item 6)', () => {
  it('keys prints a JSON key name with a newline escaped, on its own line', async () => {
    const run = await runCli(['keys', '--secret', 'hard/app'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'DB_HOST          hard/app  key DB_HOST\nA___ADD_MASK__X  hard/app  key a\\n::add-mask::x\n',
    );
    expectNoWorkflowCommand(run);
    const json = await runCli(['keys', '--secret', 'hard/app', '--json'], env());
    expect(JSON.parse(json.stdout).variables[1].jsonPath).toEqual(['a\n::add-mask::x']);
    expectNoWorkflowCommand(json);
  });

  it('ecs-secrets errors name a bad key escaped, on one line', async () => {
    const run = await runCli(['ecs-secrets', '--secret', 'hard/colon'], env());
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('JSON key "b\\n::stop-commands::y:z"');
    expectNoWorkflowCommand(run);
    const name = await runCli(['ecs-secrets', '--secret', 'hard/ecs', '--verbose'], env());
    expect(name.code).toBe(0);
    expect(JSON.parse(name.stdout)[1]).toEqual({ name: 'X_Y', valueFrom: `${arn}:x\ny::` });
    expectNoWorkflowCommand(name);
  });

  it('echoes a bad id escaped and cut short, however long', async () => {
    const long = await runCli(['keys', '--secret', `app/${'a'.repeat(100_000)}`], env());
    expect(long.code).toBe(2);
    expect(long.stderr.length).toBeLessThan(600);
    expect(long.stderr).toContain('(100004 characters)');
    const newline = await runCli(['keys', '--secret', 'app/x\n::add-mask::y'], env());
    expect(newline.code).toBe(2);
    expect(newline.stderr).toContain('"app/x\\n::add-mask::y"');
    expectNoWorkflowCommand(newline);
    const ssm = await runCli(['keys', '--secret', `ssm:/x/${'b'.repeat(100_000)}`], env());
    expect(ssm.code).toBe(2);
    expect(ssm.stderr.length).toBeLessThan(600);
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('validation (issue 13 item 7)', () => {
  it('refuses --region with a space as a usage error, before any AWS call', async () => {
    for (const command of ['keys', 'ecs-secrets']) {
      const run = await runCli([command, '--secret', 'hard/app', '--region', 'x y'], env());
      expect(run.code, command).toBe(2);
      expect(run.stderr).toContain('--region "x y" is not an AWS region name');
    }
    expect(aws.proxy.stats().total).toBe(0);
  });

  it('accepts a task definition file with a UTF-8 byte order mark, and keeps it', async () => {
    const file = join(dir, 'bom.json');
    await writeFile(
      file,
      `\uFEFF${JSON.stringify({ containerDefinitions: [{ name: 'web' }] }, null, 2)}\n`,
    );
    const run = await runCli(
      ['ecs-secrets', '--secret', 'hard/ecs=E', '--task-definition', file],
      env(),
    );
    expect(run.stderr).toContain('merged');
    expect(run.code).toBe(0);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('\uFEFF{')).toBe(true);
    expect(JSON.parse(text.slice(1)).containerDefinitions[0].secrets[0]).toEqual({
      name: 'E_DB_HOST',
      valueFrom: `${arn}:DB_HOST::`,
    });
  });

  it('reads one secret listed twice (by name and by ARN) without a conflict', async () => {
    const run = await runCli(
      ['keys', '--secret', 'hard/ecs=E', '--secret', 'hard/ecs=E', '--secret', `${arn}=E`],
      env(),
    );
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n').filter((l) => l.startsWith('E_DB_HOST'))).toHaveLength(1);
    const ecs = await runCli(
      ['ecs-secrets', '--secret', 'hard/ecs=E', '--secret', 'hard/ecs=E'],
      env(),
    );
    expect(ecs.code).toBe(0);
    expect(JSON.parse(ecs.stdout)).toHaveLength(2);
  });
});

describe('one value per single-value flag, shared --json errors (issue 13 item 7, issue 14)', () => {
  it('refuses a single-value flag given twice', async () => {
    const run = await runCli(
      ['keys', '--secret', 'hard/app', '--region', 'us-east-1', '--region', 'eu-west-1'],
      env(),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--region given more than once');
    expect(aws.proxy.stats().total).toBe(0);
  });

  it('prints a failure as {"error": ...} on stdout with --json, naming the failed ids', async () => {
    const run = await runCli(
      ['keys', '--secret', 'hard/app', '--secret', 'hard/missing', '--json'],
      env(),
    );
    expect(run.code).toBe(1);
    const { error } = JSON.parse(run.stdout);
    expect(error).toMatchObject({
      code: 'E_NOT_FOUND',
      retryable: false,
      failures: [expect.objectContaining({ secretId: 'hard/missing', code: 'E_NOT_FOUND' })],
    });
    expect(run.stderr).toContain('secret "hard/missing": not found');
    const usage = await runCli(['keys', '--json'], env());
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stdout).error.code).toBe('E_INPUT');
  });
});

describe('timeouts and signals (issue 13 item 4)', () => {
  it('keys gives up on an AWS call that never answers, after BERTH_AWS_TIMEOUT a try', async () => {
    aws.proxy.fail({ operation: 'BatchGetSecretValue', fault: 'no-answer' });
    try {
      const run = await runCli(['keys', '--secret', 'hard/app'], {
        ...env(),
        BERTH_AWS_TIMEOUT: '500ms',
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('secret "hard/app"');
      expect(run.stderr).toContain('BERTH_AWS_TIMEOUT');
    } finally {
      aws.proxy.clearFaults();
    }
  });

  it('stops on SIGTERM while a call hangs, and exits 143', async () => {
    aws.proxy.fail({ operation: 'GetParameters', fault: 'no-answer' });
    try {
      const run = await runCli(['keys', '--secret', 'ssm:/hard/x'], env(), {
        onSpawn: (child) => {
          void aws.proxy.nextCall('GetParameters').then(() => child.kill('SIGTERM'));
        },
      });
      expect(run.code).toBe(143);
      expect(run.stderr).toContain('received SIGTERM');
      expect(run.stdout).toBe('');
    } finally {
      aws.proxy.clearFaults();
    }
  });
});
