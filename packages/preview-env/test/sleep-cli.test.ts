import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess, useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { EMPTY, type Fixture, IMAGE_1, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
let cwd: string;
const CLI = join(import.meta.dirname, '..', 'src', 'cli.ts');

async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runProcess(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...aws.env, NO_COLOR: '1' },
  });
  return { code: r.code ?? 1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  fx = await setup(aws);
  cwd = mkdtempSync(join(tmpdir(), 'preview-env-sleep-cli-'));
  writeFileSync(
    join(cwd, 'preview-env.yml'),
    [
      `cluster: ${fx.seed.cluster}`,
      `referenceService: ${fx.seed.referenceService}`,
      `listenerArn: ${fx.seed.listenerArn}`,
      `domain: ${fx.seed.domain}`,
      `hostedZoneId: ${fx.seed.hostedZoneId}`,
      'namePrefix: app',
      '',
    ].join('\n'),
  );
});

describe('preview-env sleep and wake (CLI)', () => {
  it('sleep, ls, wake --json, and E_NOT_FOUND for an environment that does not exist', async () => {
    const created = await run(['create', '61', '--image', IMAGE_1]);
    expect(created.code, created.stderr).toBe(0);

    const slept = await run(['sleep', '61']);
    expect(slept).toMatchObject({ code: 0, stdout: 'pr-61 is asleep\n' });
    expect(slept.stderr).toContain('putting pr-61 to sleep');
    expect((await run(['sleep', 'pr-61'])).stdout).toBe('pr-61 was asleep already\n');
    const listed = await run(['ls']);
    expect(listed.stdout).toMatch(/pr-61\s+asleep/);

    const woken = await run(['wake', '61', '--json']);
    expect(woken.code).toBe(0);
    expect(JSON.parse(woken.stdout)).toMatchObject({
      name: 'pr-61',
      state: 'running',
      changed: true,
      desiredCount: 1,
      waited: false,
    });

    const missing = await run(['wake', '62', '--json']);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'E_NOT_FOUND' } });
    expect(missing.stderr).toContain('cannot wake pr-62: it does not exist');

    expect((await run(['delete', '61'])).code).toBe(0);
    expect(await inventory(fx)).toEqual(EMPTY);
  }, 180_000);
});
