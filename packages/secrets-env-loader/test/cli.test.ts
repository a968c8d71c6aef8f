import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { fixtureClient, useAws } from '@berth/testkit';
import { parse } from 'dotenv';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runCli } from './run-cli.ts';

const aws = useAws();
// Each test starts the CLI a few times; on a loaded machine one start can take seconds.
vi.setConfig({ testTimeout: 240_000 });
let dir: string;
let arn: string;
const env = () => ({ ...aws.env, NO_COLOR: '1' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'secrets-env-cli-'));
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  const create = async (Name: string, SecretString: string) =>
    (await sm.send(new CreateSecretCommand({ Name, SecretString }))).ARN as string;
  arn = await create(
    'app/dev',
    JSON.stringify({ DB_HOST: 'db.internal', DB_PASSWORD: 'pw "1"\nline2' }),
  );
  await create('app/other', JSON.stringify({ DB_HOST: 'other' }));
  await create('app/token', 'plain-token');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  aws.proxy.resetStats();
});

const node = process.execPath;

describe('secrets-env keys', () => {
  it('lists names and sources, never values', async () => {
    const run = await runCli(['keys', '--secret', 'app/dev', '--secret', 'app/token=TOKEN'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      'DB_HOST      app/dev  key DB_HOST\nDB_PASSWORD  app/dev  key DB_PASSWORD\nTOKEN        app/token\n',
    );
    const json = await runCli(['keys', '--secret', 'app/dev', '--json'], env());
    expect(JSON.parse(json.stdout).variables[0]).toMatchObject({
      name: 'DB_HOST',
      secretName: 'app/dev',
      secretArn: arn,
    });
    expect(json.stdout).not.toContain('db.internal');
  });

  it('exits 1 naming the secret and the reason', async () => {
    const missing = await runCli(['keys', '--secret', 'app/missing'], env());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('secret "app/missing": not found');
    const conflict = await runCli(['keys', '--secret', 'app/dev', '--secret', 'app/other'], env());
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('DB_HOST comes from both');
    const lastWins = await runCli(
      ['keys', '--secret', 'app/dev', '--secret', 'app/other', '--on-conflict', 'last-wins'],
      env(),
    );
    expect(lastWins.code).toBe(0);
    expect(lastWins.stdout).toContain('DB_HOST      app/other');
    expect(aws.proxy.stats().byOperation).toEqual({ BatchGetSecretValue: 3 });
  });

  // Seven CLI starts: on a loaded machine each can take seconds, so they get their own test
  // and more time than the default (issue 12).
  it('exits 2 for usage errors, before any AWS call', { timeout: 240_000 }, async () => {
    for (const args of [
      ['keys'],
      ['keys', '--secret', 'ab*'],
      ['keys', '--secret', 'app/dev', '--name-transform', 'lower'],
      ['keys', '--secret', 'app/dev', '--secret', 'app/token', '--version-id', 'x'],
      ['keys', '--secret', 'app/dev=9bad'],
      ['keys', '--secret', 'app/dev=my-alias'],
      ['nope'],
    ]) {
      const run = await runCli(args, env());
      expect(run.code, args.join(' ')).toBe(2);
    }
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('secrets-env dotenv', () => {
  it('prints a .env that dotenv parses back exactly', async () => {
    const run = await runCli(['dotenv', '--secret', 'app/dev', '--secret', 'app/token'], env());
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toEqual({
      DB_HOST: 'db.internal',
      DB_PASSWORD: 'pw "1"\nline2',
      TOKEN: 'plain-token',
    });
  });

  it('writes --out with mode 0600, and nothing when a secret fails', async () => {
    const file = join(dir, 'app.env');
    const run = await runCli(['dotenv', '--secret', 'app/dev', '--out', file, '--json'], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ file, variables: ['DB_HOST', 'DB_PASSWORD'] });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(parse(await readFile(file, 'utf8')).DB_HOST).toBe('db.internal');

    const untouched = join(dir, 'untouched.env');
    const failed = await runCli(
      ['dotenv', '--secret', 'app/dev', '--secret', 'app/missing', '--out', untouched],
      env(),
    );
    expect(failed.code).toBe(1);
    expect(existsSync(untouched)).toBe(false);
  });

  it('refuses an --out path that cannot be written before any AWS call', async () => {
    aws.proxy.resetStats();
    const noDir = await runCli(
      ['dotenv', '--secret', 'app/dev', '--out', join(dir, 'no-such-dir', '.env')],
      env(),
    );
    expect(noDir.code).toBe(2);
    expect(noDir.stderr).toContain('no-such-dir');
    expect(noDir.stderr).toContain('does not exist');
    expect(noDir.stderr).not.toContain('.tmp');
    const isDir = await runCli(['dotenv', '--secret', 'app/dev', '--out', dir], env());
    expect(isDir.code).toBe(2);
    expect(isDir.stderr).toContain('it is a directory');
    expect(aws.proxy.stats().total).toBe(0);
  });
});

describe('secrets-env exec', () => {
  const check = (js: string) => ['--', node, '-e', js];

  it('runs the command with the variables and returns its exit code', async () => {
    const ok = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        ...check(
          `process.exit(process.env.DB_HOST === 'db.internal' && process.env.DB_PASSWORD === 'pw "1"\\nline2' ? 7 : 3)`,
        ),
      ],
      env(),
    );
    expect(ok.code).toBe(7);
  });

  it('keeps existing variables with a warning unless --override; --pristine passes only secrets', async () => {
    const kept = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        ...check(`process.exit(process.env.DB_HOST === 'mine' ? 0 : 3)`),
      ],
      { ...env(), DB_HOST: 'mine' },
    );
    expect(kept.code).toBe(0);
    expect(kept.stderr).toContain('DB_HOST is already set: kept it');
    const replaced = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        '--override',
        ...check(`process.exit(process.env.DB_HOST === 'db.internal' ? 0 : 3)`),
      ],
      { ...env(), DB_HOST: 'mine' },
    );
    expect(replaced.code).toBe(0);
    const pristine = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        '--pristine',
        '--',
        'node',
        '-e',
        `process.exit(process.env.PATH === undefined && process.env.AWS_REGION === undefined && process.env.DB_HOST === 'db.internal' ? 0 : 3)`,
      ],
      env(),
    );
    expect(pristine.code).toBe(0);
  });

  it('reports a signal as 128+n, forwards SIGTERM, and says 127 for a missing command', async () => {
    const killed = await runCli(
      ['exec', '--secret', 'app/dev', ...check(`process.kill(process.pid, 'SIGKILL')`)],
      env(),
    );
    expect(killed.code).toBe(137);
    const marker = join(dir, 'started');
    const forwarded = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        ...check(
          `require('fs').writeFileSync(${JSON.stringify(marker)}, ''); process.on('SIGTERM', () => process.exit(42)); setTimeout(() => {}, 30000)`,
        ),
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
    const notFound = await runCli(
      ['exec', '--secret', 'app/dev', '--', 'no-such-command-berth'],
      env(),
    );
    expect(notFound.code).toBe(127);
    expect(notFound.stderr).toContain('command not found: no-such-command-berth');
  });

  it('runs nothing when a secret fails', async () => {
    const marker = join(dir, 'should-not-exist');
    const run = await runCli(
      [
        'exec',
        '--secret',
        'app/dev',
        '--secret',
        'app/missing',
        ...check(`require('fs').writeFileSync(${JSON.stringify(marker)}, '')`),
      ],
      env(),
    );
    expect(run.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('secrets-env ecs-secrets', () => {
  it('prints one valueFrom per key, with an alias prefix and a stage', async () => {
    const run = await runCli(['ecs-secrets', '--secret', 'app/dev'], env());
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      { name: 'DB_HOST', valueFrom: `${arn}:DB_HOST::` },
      { name: 'DB_PASSWORD', valueFrom: `${arn}:DB_PASSWORD::` },
    ]);
    const staged = await runCli(
      ['ecs-secrets', '--secret', 'app/dev=APP', '--version-stage', 'AWSCURRENT'],
      env(),
    );
    expect(JSON.parse(staged.stdout)[0]).toEqual({
      name: 'APP_DB_HOST',
      valueFrom: `${arn}:DB_HOST:AWSCURRENT:`,
    });
  });

  it('merges into a task definition file: same names replaced, others kept', async () => {
    const file = join(dir, 'taskdef.json');
    await writeFile(
      file,
      `${JSON.stringify(
        {
          family: 'app',
          containerDefinitions: [
            { name: 'sidecar', image: 'envoy' },
            {
              name: 'web',
              image: 'app:1',
              environment: [
                { name: 'DB_HOST', value: 'plain' },
                { name: 'LOG_LEVEL', value: 'info' },
              ],
              secrets: [
                { name: 'DB_PASSWORD', valueFrom: 'arn:old:DB_PASSWORD::' },
                { name: 'OTHER', valueFrom: 'arn:other' },
              ],
            },
          ],
        },
        null,
        4,
      )}\n`,
    );
    const run = await runCli(
      [
        'ecs-secrets',
        '--secret',
        'app/dev',
        '--container',
        'web',
        '--task-definition',
        file,
        '--json',
      ],
      env(),
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      added: ['DB_HOST'],
      replaced: ['DB_PASSWORD'],
      removedFromEnvironment: ['DB_HOST'],
    });
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^\{\n {4}"family"/);
    const web = JSON.parse(text).containerDefinitions[1];
    expect(web.secrets).toEqual([
      { name: 'DB_PASSWORD', valueFrom: `${arn}:DB_PASSWORD::` },
      { name: 'OTHER', valueFrom: 'arn:other' },
      { name: 'DB_HOST', valueFrom: `${arn}:DB_HOST::` },
    ]);
    expect(web.environment).toEqual([{ name: 'LOG_LEVEL', value: 'info' }]);
    expect(JSON.parse(text).containerDefinitions[0]).toEqual({ name: 'sidecar', image: 'envoy' });
  });

  it('accepts describe-task-definition output with a single container', async () => {
    const file = join(dir, 'described.json');
    await writeFile(
      file,
      JSON.stringify({
        taskDefinition: { family: 'x', containerDefinitions: [{ name: 'only' }] },
        tags: [],
      }),
    );
    const run = await runCli(
      ['ecs-secrets', '--secret', 'app/dev', '--task-definition', file],
      env(),
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('2 added');
    expect(
      JSON.parse(await readFile(file, 'utf8')).taskDefinition.containerDefinitions[0].secrets,
    ).toHaveLength(2);
  });

  it('checks the file and the container before any AWS call, changing nothing', async () => {
    const file = join(dir, 'two.json');
    const original = JSON.stringify({ containerDefinitions: [{ name: 'a' }, { name: 'b' }] });
    await writeFile(file, original);
    aws.proxy.resetStats();
    const noContainer = await runCli(
      ['ecs-secrets', '--secret', 'app/dev', '--task-definition', file],
      env(),
    );
    expect(noContainer.code).toBe(2);
    expect(noContainer.stderr).toContain('choose one with --container');
    const wrong = await runCli(
      ['ecs-secrets', '--secret', 'app/dev', '--task-definition', file, '--container', 'c'],
      env(),
    );
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('no container "c"');
    const missingFile = await runCli(
      ['ecs-secrets', '--secret', 'app/dev', '--task-definition', join(dir, 'nope.json')],
      env(),
    );
    expect(missingFile.code).toBe(2);
    expect(aws.proxy.stats().total).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(original);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{\n  "containerDefinitions": [{ "environment": hunter2 }]\n}\n');
    const badJson = await runCli(
      ['ecs-secrets', '--secret', 'app/dev', '--task-definition', broken],
      env(),
    );
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toContain('is not valid JSON');
    expect(badJson.stderr).not.toContain('hunter2');
    expect(aws.proxy.stats().total).toBe(0);
    const notJson = await runCli(['ecs-secrets', '--secret', 'app/token'], env());
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('not a JSON object');
    expect(notJson.stderr).not.toContain('plain-token');
  });
});
