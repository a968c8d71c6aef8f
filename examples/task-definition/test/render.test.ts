import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { SEED_SECRET_VALUE, type SeededAccount, seedAccount, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderTaskDefinition } from '../src/render-task-definition.ts';

const aws = useAws();
const here = import.meta.dirname;
const source = resolve(here, '../task-definition.json');

interface Container {
  name: string;
  secrets?: { name: string; valueFrom: string }[];
  [key: string]: unknown;
}
interface TaskDefinition {
  containerDefinitions: Container[];
  [key: string]: unknown;
}

let seeded: SeededAccount;
let dir: string;

beforeAll(async () => {
  seeded = await seedAccount(aws.clientConfig);
  dir = await mkdtemp(join(tmpdir(), 'task-definition-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJson(file: string): Promise<TaskDefinition> {
  return JSON.parse(await readFile(file, 'utf8')) as TaskDefinition;
}

describe('rendering the task definition with secrets-env ecs-secrets', () => {
  it('adds one valueFrom per JSON key to the web container and changes nothing else', async () => {
    const output = join(dir, 'rendered/task-definition.json');
    await renderTaskDefinition({ secretId: 'app/dev', input: source, output, env: aws.env });
    const before = await readJson(source);
    const after = await readJson(output);
    const web = after.containerDefinitions.find((c) => c.name === 'web');
    expect(web?.secrets).toEqual(
      expect.arrayContaining([
        {
          name: 'SENTRY_DSN',
          valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/sentry-dsn',
        },
        ...Object.keys(SEED_SECRET_VALUE).map((key) => ({
          name: key,
          valueFrom: `${seeded.secretArn}:${key}::`,
        })),
      ]),
    );
    expect(web?.secrets).toHaveLength(1 + Object.keys(SEED_SECRET_VALUE).length);
    // Everything but the web container's secrets is as it was.
    const expected = structuredClone(before);
    for (const c of expected.containerDefinitions)
      if (c.name === 'web') c.secrets = web?.secrets ?? [];
    expect(after).toEqual(expected);
    const text = await readFile(output, 'utf8');
    for (const value of Object.values(SEED_SECRET_VALUE)) expect(text).not.toContain(value);
  });

  it('is idempotent: rendering again gives the same file', async () => {
    const output = join(dir, 'twice.json');
    await renderTaskDefinition({ secretId: 'app/dev', input: source, output, env: aws.env });
    const once = await readFile(output, 'utf8');
    await renderTaskDefinition({ secretId: 'app/dev', input: output, output, env: aws.env });
    expect(await readFile(output, 'utf8')).toBe(once);
  });

  it('renders a definition ECS registers as is', async () => {
    const output = join(dir, 'register.json');
    await renderTaskDefinition({ secretId: 'app/dev', input: source, output, env: aws.env });
    const ecs = new ECSClient(aws.clientConfig);
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand(
        (await readJson(output)) as unknown as ConstructorParameters<
          typeof RegisterTaskDefinitionCommand
        >[0],
      ),
    );
    ecs.destroy();
    const web = registered.taskDefinition?.containerDefinitions?.find((c) => c.name === 'web');
    expect(web?.secrets?.map((s) => s.name).sort()).toEqual(
      ['SENTRY_DSN', ...Object.keys(SEED_SECRET_VALUE)].sort(),
    );
  });

  it('the render script fails with the secret named, and leaves no rendered file', async () => {
    const output = join(dir, 'missing/task-definition.json');
    const child = spawn(
      process.execPath,
      [resolve(here, '../src/render.ts'), '--secret', 'app/missing', '--out', output],
      { env: aws.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('close', done));
    expect(code).toBe(1);
    expect(stderr).toContain('app/missing');
    await expect(stat(output)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('the render script refuses a missing --secret with exit 2', async () => {
    const child = spawn(process.execPath, [resolve(here, '../src/render.ts')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('close', done));
    expect(code).toBe(2);
    expect(stderr).toContain('--secret is required');
  });
});
