import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BatchDeleteImageCommand, ECRClient } from '@aws-sdk/client-ecr';
import {
  DeregisterTaskDefinitionCommand,
  ECSClient,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { runProcess, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  digestOf,
  ecrRepository,
  familyArns,
  pushImage,
  REPO,
  registerRevisions,
  serviceTaskDefinition,
} from '../test/ecs-fixtures.ts';

const aws = useAws();
const cli = join(import.meta.dirname, 'cli.ts');
let ecs: ECSClient;
let n = 0;

beforeAll(() => {
  ecs = new ECSClient(aws.clientConfig);
});
afterAll(() => ecs.destroy());

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProcess(process.execPath, [cli, ...args], {
    env: { ...aws.env, NO_COLOR: '1', ...env },
  });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

async function setup(tags: string[], options: { sidecar?: boolean; repository?: string } = {}) {
  n++;
  const family = `cli${n}`;
  const service = `svc${n}`;
  const arns = await registerRevisions(ecs, family, tags, options);
  await createService(ecs, 'dev', service, arns[arns.length - 1] as string);
  return { family, service, arns, where: ['--cluster', 'dev', '--service', service] };
}

describe('ecs-rollback CLI', () => {
  it('rolls back to the previous version with --no-wait, showing from -> to and the reused revision first', async () => {
    const { family, service, arns, where } = await setup(['v1', 'v2']);
    const r = await run([...where, '--no-wait']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`service ${service} (cluster dev)`);
    expect(lines[1]).toMatch(new RegExp(`^  from  ${family}:2 +web=${REPO}:v2$`));
    expect(lines[2]).toMatch(new RegExp(`^  to    ${family}:1 +web=${REPO}:v1$`));
    expect(lines[3]).toMatch(/existing revision reused, nothing registered/);
    expect(r.stdout).toMatch(
      new RegExp(
        `^rolled back ${service}: ${family}:2 -> ${family}:1 \\(existing revision reused\\); not waiting`,
        'm',
      ),
    );
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
    expect(await familyArns(ecs, family)).toEqual(arns);
  });

  it('prints the plan and changes nothing with --dry-run --json', async () => {
    const { service, arns, where } = await setup(['v1', 'v2', 'v3']);
    const r = await run([...where, '--to', 'v1', '--dry-run', '--json']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('dry-run');
    expect(out.plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(out.plan.current.containers[0].tag).toBe('v3');
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[2]);
  });

  it('exits 3 and lists the known tags when no revision runs the tag', async () => {
    const { service, arns, where } = await setup(['v1', 'v2']);
    const r = await run([...where, '--to', 'v7']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /ecs-rollback: error: no ACTIVE revision of .* runs tag "v7" .*Tags that exist: v2 \(revision 2\), v1 \(revision 1\)/,
    );
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[1]);
  });

  it('exits 3 when there is nothing to roll back to', async () => {
    const { where } = await setup(['v1']);
    const r = await run([...where, '--no-wait']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nothing to roll back to/);
  });

  it('rolls a service with a sidecar back to a revision without --container', async () => {
    const { service, arns, where } = await setup(['v1', 'v2'], { sidecar: true });
    const r = await run([...where, '--to', '1', '--no-wait']);
    expect(r.stderr).not.toMatch(/--container/);
    expect(r.code).toBe(0);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('refuses an empty --to and a task definition of another family, changing nothing', async () => {
    const { service, arns, where } = await setup(['v1', 'v2']);
    const other = await setup(['v1']);
    const empty = await run([...where, '--to', '', '--no-wait']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--to is empty/);
    const foreign = await run([...where, '--to', other.arns[0] as string, '--no-wait']);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(
      /another family cli\d+, not the service's cli\d+: pass --allow-other-family/,
    );
    const otherRegion = (arns[0] as string).replace(':us-east-1:', ':eu-west-1:');
    const region = await run([...where, '--to', otherRegion, '--no-wait']);
    expect(region.code).toBe(2);
    expect(region.stderr).toMatch(/another region eu-west-1, not us-east-1/);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[1]);
    const allowed = await run([
      ...where,
      '--to',
      other.arns[0] as string,
      '--allow-other-family',
      '--no-wait',
    ]);
    expect(allowed.code).toBe(0);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(other.arns[0]);
  });

  it('refuses a target whose ECR image is gone (exit 3), and marks it in history', async () => {
    const ecr = new ECRClient(aws.clientConfig);
    try {
      const name = `cli/app${n + 1}`;
      for (const tag of ['v1', 'v2']) await pushImage(ecr, name, tag, digestOf(`${name}:${tag}`));
      const repository = ecrRepository(aws.accountId, name);
      const { family, service, arns, where } = await setup(['v1', 'v2'], { repository });
      await ecr.send(
        new BatchDeleteImageCommand({ repositoryName: name, imageIds: [{ imageTag: 'v1' }] }),
      );
      const r = await run([...where, '--dry-run']);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /nothing to roll back to: .*images are gone from the registry: cli\d+:1 \(web=.*:v1 \(missing: tag v1 no longer exists/,
      );
      const table = await run(['history', ...where]);
      expect(table.stdout).toMatch(
        new RegExp(`^  ${family}:1 .*web=${repository}:v1 \\[gone\\]$`, 'm'),
      );
      expect(table.stdout).toMatch(
        new RegExp(
          `^\\[gone\\]: the image no longer exists in ECR; rolling back to ${family}:1 would fail`,
          'm',
        ),
      );
      const skipped = await run([...where, '--skip-image-check', '--no-wait', '--json']);
      expect(skipped.code).toBe(0);
      expect(JSON.parse(skipped.stdout).method).toBe('update-service');
      expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
    } finally {
      ecr.destroy();
    }
  });

  it('exits 2 on usage errors', async () => {
    const cases: [string[], RegExp][] = [
      [['--service', 'x'], /missing --cluster: it is required/],
      [['--cluster', 'a', '--cluster', 'b', '--service', 'x'], /--cluster given more than once/],
      [
        ['--cluster', 'dev', '--service', 'x', '--to', '1', '--to', '2'],
        /--to given more than once/,
      ],
      [['--cluster', 'dev', '--service', 'x', '--timeout', '0s'], /--timeout: "0s" is too short/],
      [
        ['--cluster', 'dev', '--service', 'x', '--timeout', '10'],
        /--timeout: "10" is not a duration/,
      ],
      [['--cluster', 'dev', '--service', 'x', '--to', 'bad tag'], /--to|to: "bad tag"/],
      [['--cluster', 'dev', '--service', 'x', '--bogus'], /unknown option --bogus/],
      [
        ['history', '--cluster', 'dev', '--service', 'x', '--limit', 'lots'],
        /--limit: "lots" is not a whole number/,
      ],
      [['--cluster', 'nope', '--service', 'x'], /cluster "nope" not found/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    // With --json the error is also one document on stdout, as in every Berth CLI.
    const json = await run(['--cluster', 'nope', '--service', 'x', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'E_CLUSTER_NOT_FOUND', retryable: false },
    });
    const usage = await run(['--service', 'x', '--json']);
    expect(JSON.parse(usage.stdout).error.code).toBe('E_INPUT');
  });

  it('prints history as a table and as JSON', async () => {
    const { family, where } = await setup(['v1', 'v2', 'v3']);
    const table = await run(['history', ...where, '--limit', '2']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/^ {2}REVISION +STATUS +OUTCOME +REGISTERED +IMAGES$/);
    expect(lines[2]).toMatch(
      new RegExp(`^\\* ${family}:3 +ACTIVE +in-progress +- +web=${REPO}:v3$`),
    );
    expect(lines[3]).toMatch(new RegExp(`^  ${family}:2 +ACTIVE`));
    const json = JSON.parse((await run(['history', ...where, '--json'])).stdout);
    expect(json.versions).toHaveLength(3);
    expect(json.source).toBe('task-definition-family');
  });

  it('watch times out (exit 1) where deployments never progress, and rolls back with --rollback-on-failure', async () => {
    const { service, arns, where } = await setup(['v1', 'v2']);
    const plain = await run(['watch', ...where, '--timeout', '1s', '--poll', '200ms']);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/^deployment timeout: no result within 1s/);
    expect(plain.stdout).toMatch(
      /^cause timeout: the deployment neither succeeded nor failed in time/m,
    );

    const r = await run([
      'watch',
      ...where,
      '--timeout',
      '1s',
      '--poll',
      '200ms',
      '--rollback-on-failure',
      '--json',
    ]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.watch.status).toBe('timeout');
    expect(out.watch.cause).toBe('timeout');
    expect(out.rollback.plan.target.taskDefinitionArn).toBe(arns[0]);
    expect(out.rollback.cause).toBe('timeout');
    expect(out.rollback.status).toBe('timeout');
    expect(r.stderr).toMatch(/rolling back to the previous version/);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('watch --rollback-on-failure exits 3 when the failed deployment has nothing to roll back to', async () => {
    const { service, arns, where } = await setup(['v1']);
    const r = await run([
      'watch',
      ...where,
      '--timeout',
      '1s',
      '--poll',
      '200ms',
      '--rollback-on-failure',
      '--json',
    ]);
    expect(r.code).toBe(3);
    const out = JSON.parse(r.stdout);
    expect(out.watch.status).toBe('timeout');
    expect(out.rollback.error.code).toBe('E_NO_PREVIOUS');
    expect(r.stderr).toMatch(/nothing to roll back to/);
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('watch --rollback-on-failure --register brings back an INACTIVE previous revision', async () => {
    const { family, service, arns, where } = await setup(['v1', 'v2']);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arns[0] as string }));
    const args = ['watch', ...where, '--timeout', '1s', '--poll', '200ms', '--rollback-on-failure'];
    const refused = await run(args);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/--register/);
    const r = await run([...args, '--register', '--json']);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.rollback.registered).toBe(true);
    expect(out.rollback.taskDefinitionArn).toMatch(new RegExp(`/${family}:3$`));
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(out.rollback.taskDefinitionArn);
  });

  it('watch --rollback-on-failure leaves alone a service someone else deployed meanwhile', async () => {
    const { service, arns, where } = await setup(['v1', 'v2', 'v3']);
    const child = spawn(
      process.execPath,
      [cli, 'watch', ...where, '--timeout', '5s', '--poll', '200ms', '--rollback-on-failure'],
      { env: { ...aws.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d;
    });
    const watching = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (/deployment .* is /.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    await watching;
    // Another tool deploys v1 while the watch waits for v3.
    await ecs.send(
      new UpdateServiceCommand({ cluster: 'dev', service, taskDefinition: arns[0] as string }),
    );
    expect(await exited).toBe(1);
    expect(stdout).toMatch(/^deployment timeout/);
    expect(stderr).toMatch(
      /not rolling back: the service now runs cli\d+:1, not the watched cli\d+:3/,
    );
    expect(await serviceTaskDefinition(ecs, 'dev', service)).toBe(arns[0]);
  });

  it('answers --help and --version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/ecs-rollback history --cluster C --service S/);
    const rollbackHelp = await run(['rollback', '--help']);
    expect(rollbackHelp.stdout).toMatch(/--deregister-failed/);
    expect(rollbackHelp.stdout).toMatch(/3 nothing to roll back to/);
    const version = await run(['--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
