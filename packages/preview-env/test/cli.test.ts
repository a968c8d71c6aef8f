import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, SEED_SECRET_VALUE, useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, type Fixture, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
let cwd: string;
const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

async function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProcess(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...aws.env, NO_COLOR: '1', ...env },
  });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  fx = await setup(aws);
  cwd = mkdtempSync(join(tmpdir(), 'preview-env-cli-'));
  writeFileSync(
    join(cwd, 'preview-env.yml'),
    [
      `cluster: ${fx.seed.cluster}`,
      `referenceService: ${fx.seed.referenceService}`,
      `listenerArn: ${fx.seed.listenerArn}`,
      `domain: ${fx.seed.domain}`,
      `hostedZoneId: ${fx.seed.hostedZoneId}`,
      'namePrefix: app',
      'container: web',
      'ttl: 3d',
      'env:',
      '  FEATURE_FLAGS: preview',
      '',
    ].join('\n'),
  );
});

describe('preview-env CLI', () => {
  it('create prints the URL; --json prints the result; ls and delete follow', async () => {
    const created = await run([
      'create',
      '42',
      '--image',
      IMAGE_1,
      '--env',
      'DEBUG=1',
      '--secrets-from',
      'app/dev',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'https://pr-42.preview.example.com\n' });
    expect(created.stderr).toContain('created pr-42');
    for (const value of Object.values(SEED_SECRET_VALUE))
      expect(created.stderr + created.stdout).not.toContain(value);

    const updated = await run(['create', '42', '--image', IMAGE_2, '--json']);
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      name: 'pr-42',
      pr: 42,
      image: IMAGE_2,
      outcome: 'updated',
    });

    const table = await run(['ls']);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^NAME\s+STATUS\s+DEPLOYED\s+CREATED\s+IMAGE\s+URL$/);
    expect(row).toMatch(
      /^pr-42\s+running\s+.+ago\s+.+ago\s+\S+app:sha-2222222\s+https:\/\/pr-42\.preview\.example\.com$/,
    );
    const listed = JSON.parse((await run(['ls', '--json'])).stdout);
    expect(listed).toEqual([
      expect.objectContaining({ name: 'pr-42', pr: 42, status: 'running', image: IMAGE_2 }),
    ]);

    const swept = await run(['sweep', '--older-than', '1h', '--dry-run', '--json']);
    expect(JSON.parse(swept.stdout)).toMatchObject({
      dryRun: true,
      swept: [],
      kept: [{ name: 'pr-42' }],
    });
    const sweptAll = await run(['sweep', '--older-than', '0s', '--keep', 'main']);
    expect(sweptAll, sweptAll.stderr).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^swept pr-42 \(idle /),
    });

    const deleted = await run(['delete', 'pr-42']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'pr-42: nothing to delete\n' });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('exits 2 on usage and configuration errors, naming the input', async () => {
    expect(await run(['create', '42'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing --image: it is required'),
    });
    expect(await run(['create', '--image', IMAGE_1])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('missing <name>'),
    });
    expect(await run(['create', '42', '--image', IMAGE_1, '--env', 'NOEQUALS'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--env "NOEQUALS": expected KEY=VALUE'),
    });
    expect(await run(['ls', '--ttl', 'soon'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--ttl: "soon" is not a duration'),
    });
    expect(await run(['ls'], { PREVIEW_ENV_MAX_RULES: 'many' })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('PREVIEW_ENV_MAX_RULES must be a whole number'),
    });
    expect(await run(['ls', '--config', 'missing.yml'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('cannot read config file missing.yml'),
    });
    expect(await run(['sweep', '--older-than', '3'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('add a unit'),
    });
    expect(await run(['frobnicate'])).toMatchObject({ code: 2 });
    // issue 12 and 13: refused before any AWS call, exit 2
    const bad = await run(['create', '42', '--image', `${IMAGE_1}:2`, '--json']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('more than one tag') });
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'E_INPUT' } });
    expect(await run(['create', '42', '--image', IMAGE_1, '--image', IMAGE_1])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--image given more than once'),
    });
    expect(
      await run(['create', '42', '--image', IMAGE_1, '--env', 'A=1', '--env', 'A=2']),
    ).toMatchObject({ code: 2, stderr: expect.stringContaining('--env "A" given more than once') });
    expect(
      await run(['create', '42', '--image', IMAGE_1, '--desired-count', '99999999999999999999']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--desired-count is "99999999999999999999", out of range'),
    });
    expect(await run(['create', '///', '--image', IMAGE_1])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('no letters or digits'),
    });
  });

  it('exits 1 on AWS failures with the step, and prints the error as JSON with --json', async () => {
    const failed = await run(['create', '43', '--image', IMAGE_1, '--json'], {}).then(
      async (first) => {
        expect(first.code).toBe(0);
        aws.proxy.fail({ operation: 'UpdateService', error: { code: 'AccessDeniedException' } });
        const r = await run(['create', '43', '--image', IMAGE_2, '--json']);
        aws.proxy.clearFaults();
        return r;
      },
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('update service failed for app-pr-43: AccessDeniedException');
    expect(JSON.parse(failed.stdout)).toEqual({
      error: expect.objectContaining({
        name: 'PreviewEnvError',
        code: 'E_AWS',
        step: 'update service',
        awsCode: 'AccessDeniedException',
      }),
    });
    const missing = await run(['create', '44', '--image', IMAGE_1, '--reference-service', 'nope']);
    expect(missing).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('reference service nope was not found in cluster dev'),
    });
    expect((await run(['delete', '43'])).code).toBe(0);
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('answers --help and --version', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('preview-env create <name> --image <ref>');
    expect((await run(['--version'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
