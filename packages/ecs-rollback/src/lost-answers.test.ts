import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { runProcess, useAws } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createService,
  familyArns,
  registerRevisions,
  serviceTaskDefinition,
} from '../test/ecs-fixtures.ts';
import { EcsRollbackError } from './errors.ts';
import { rollback } from './rollback.ts';

// Issue 13: every write of a rollback meets an answer lost after AWS applied it
// ('applied-then-reset') and a call that is never answered ('no-answer'). The library builds
// its own client from the environment (this file's proxy), one attempt, short AWS timeout.
const aws = useAws();
const cluster = 'lost';
let ecs: ECSClient;
let n = 0;
const cli = join(import.meta.dirname, 'cli.ts');

beforeAll(() => {
  ecs = new ECSClient(aws.clientConfig);
});
afterAll(() => ecs.destroy());

async function setup(tags = ['v1', 'v2']) {
  n++;
  const family = `lost${n}`;
  const service = `svc${n}`;
  const arns = await registerRevisions(ecs, family, tags);
  await createService(ecs, cluster, service, arns[arns.length - 1] as string);
  return { family, service, arns, opts: { cluster, service, maxAttempts: 1, awsTimeoutMs: 1500 } };
}

async function failure(promise: Promise<unknown>): Promise<EcsRollbackError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EcsRollbackError);
  return error as EcsRollbackError;
}

describe('UpdateService', () => {
  it('applied, then the connection reset: goes on from what the service runs', async () => {
    const { opts, service, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'UpdateService',
      nth: 1,
      fault: 'applied-then-reset',
    });
    try {
      const result = await rollback(opts, { wait: false, deregisterFailed: true });
      expect(result.status).toBe('started');
      expect(result.warnings.join('\n')).toMatch(
        /could not call ecs:UpdateService: .*; but the service now runs lost\d+:1: the update was applied/,
      );
      expect(result.deregistered).toBe(arns[1]);
    } finally {
      stop();
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[0]);
    expect(await familyArns(ecs, family)).toEqual([arns[0]]);
  });

  it('applied, then reset, with --register: keeps the new revision the service now runs', async () => {
    const { opts, service, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'UpdateService',
      nth: 1,
      fault: 'applied-then-reset',
    });
    try {
      const result = await rollback({ ...opts, to: 'v0', register: true }, { wait: false });
      expect(result.registered).toBe(true);
      expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(result.taskDefinitionArn);
      // Never deregistered: the service runs it.
      expect(await familyArns(ecs, family)).toEqual([...arns, result.taskDefinitionArn]);
    } finally {
      stop();
    }
  });

  it('never answered, with --register: reports the service unchanged and deregisters the revision', async () => {
    const { opts, service, arns, family } = await setup();
    const stop = aws.proxy.fail({ operation: 'UpdateService', nth: 1, fault: 'no-answer' });
    try {
      const error = await failure(rollback({ ...opts, to: 'v0', register: true }, { wait: false }));
      expect(error.code).toBe('E_AWS');
      expect(error.message).toMatch(/could not call ecs:UpdateService: .*did not answer in time/);
      expect(error.message).toMatch(
        /; the service still runs lost\d+:2; the revision registered for it \(lost\d+:3\) was deregistered again$/,
      );
    } finally {
      stop();
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
    expect(await familyArns(ecs, family)).toEqual(arns);
    expect(await familyArns(ecs, family, 'INACTIVE')).toHaveLength(1);
  });
});

describe('RegisterTaskDefinition', () => {
  it('applied, then reset: finds the revision by its request tag and uses it', async () => {
    const { opts, service, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'RegisterTaskDefinition',
      nth: 1,
      fault: 'applied-then-reset',
    });
    try {
      const result = await rollback({ ...opts, to: 'v0', register: true }, { wait: false });
      expect(result.warnings.join('\n')).toMatch(
        /was registered \(found by its berth:rollback-request tag\): using it/,
      );
      const active = await familyArns(ecs, family);
      expect(active).toHaveLength(3);
      expect(active.slice(0, 2)).toEqual(arns);
      expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(active[2]);
    } finally {
      stop();
    }
  });

  it('never answered: says nothing was registered, after checking, and changes nothing', async () => {
    const { opts, service, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'RegisterTaskDefinition',
      nth: 1,
      fault: 'no-answer',
    });
    try {
      const error = await failure(rollback({ ...opts, to: 'v0', register: true }, { wait: false }));
      expect(error.message).toMatch(
        /could not call ecs:RegisterTaskDefinition: .*; nothing was registered \(checked\)$/,
      );
    } finally {
      stop();
    }
    expect(await familyArns(ecs, family)).toEqual(arns);
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
  });
});

describe('DeregisterTaskDefinition (--deregister-failed)', () => {
  it('applied, then reset: counts as deregistered after reading it back', async () => {
    const { opts, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'DeregisterTaskDefinition',
      nth: 1,
      fault: 'applied-then-reset',
    });
    try {
      const result = await rollback(opts, { wait: false, deregisterFailed: true });
      expect(result.deregistered).toBe(arns[1]);
      expect(result.warnings).toEqual([]);
    } finally {
      stop();
    }
    expect(await familyArns(ecs, family, 'INACTIVE')).toEqual([arns[1]]);
  });

  it('never answered: a warning, and the revision stays ACTIVE', async () => {
    const { opts, arns, family } = await setup();
    const stop = aws.proxy.fail({
      operation: 'DeregisterTaskDefinition',
      nth: 1,
      fault: 'no-answer',
    });
    try {
      const result = await rollback(opts, { wait: false, deregisterFailed: true });
      expect(result.status).toBe('started');
      expect(result.deregistered).toBeUndefined();
      expect(result.warnings.join('\n')).toMatch(
        /could not deregister lost\d+:2: could not call ecs:DeregisterTaskDefinition: .*did not answer in time/,
      );
    } finally {
      stop();
    }
    expect(await familyArns(ecs, family)).toEqual(arns);
  });
});

describe('the CLI under hung calls and signals', () => {
  it('times out a call that never answers, by BERTH_AWS_TIMEOUT', async () => {
    const { service } = await setup();
    const stop = aws.proxy.fail({ operation: 'DescribeServices', fault: 'no-answer' });
    try {
      const r = await runProcess(
        process.execPath,
        [cli, '--cluster', cluster, '--service', service, '--no-wait'],
        {
          env: { ...aws.env, NO_COLOR: '1', BERTH_AWS_TIMEOUT: '1s' },
        },
      );
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ecs:DescribeServices: .*did not answer in time/);
    } finally {
      stop();
    }
    const bad = await runProcess(
      process.execPath,
      [cli, '--cluster', cluster, '--service', service],
      {
        env: { ...aws.env, BERTH_AWS_TIMEOUT: 'soon' },
      },
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/BERTH_AWS_TIMEOUT/);
  });

  it('on SIGTERM during a hung UpdateService: aborts it, deregisters what it registered, exits 143', async () => {
    const { service, arns, family } = await setup();
    const stop = aws.proxy.fail({ operation: 'UpdateService', fault: 'no-answer' });
    try {
      const hung = aws.proxy.nextCall('UpdateService');
      const child = spawn(
        process.execPath,
        [cli, '--cluster', cluster, '--service', service, '--to', 'v0', '--register', '--no-wait'],
        {
          env: { ...aws.env, NO_COLOR: '1', BERTH_AWS_TIMEOUT: '5m' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on('close', (code) => resolve(code)),
      );
      await hung;
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(stderr).toMatch(/received SIGTERM: stopping and cleaning up/);
      expect(stderr).toMatch(/interrupted by SIGTERM/);
    } finally {
      stop();
    }
    expect(await serviceTaskDefinition(ecs, cluster, service)).toBe(arns[1]);
    expect(await familyArns(ecs, family)).toEqual(arns);
    expect(await familyArns(ecs, family, 'INACTIVE')).toHaveLength(1);
  });
});
