import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { fixtureClient, runAction, useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';

const aws = useAws();
const actionDir = join(import.meta.dirname, '..');
const PEM = '-----BEGIN KEY-----\nCANARY-pem-line-1\nCANARY-pem-line-2\n-----END KEY-----';

beforeAll(async () => {
  // The action runs from its bundle, as on a runner: build it from the current sources.
  const tsupPkg = createRequire(import.meta.url).resolve('tsup/package.json');
  const bin = (JSON.parse(readFileSync(tsupPkg, 'utf8')) as { bin: Record<string, string> }).bin
    .tsup as string;
  const build = spawnSync(process.execPath, [join(dirname(tsupPkg), bin)], {
    cwd: actionDir,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`action build failed:\n${build.stdout}\n${build.stderr}`);
  const sm = fixtureClient(SecretsManagerClient, aws.clientConfig);
  const create = (Name: string, SecretString: string) =>
    sm.send(new CreateSecretCommand({ Name, SecretString }));
  await create(
    'ci/app',
    JSON.stringify({ DB_HOST: 'CANARY-host-1a2b', TLS_KEY: PEM, nested: { port: 5432 } }),
  );
  await create('ci/token', 'CANARY-token-3c4d');
  await create('ci/reserved', JSON.stringify({ GITHUB_TOKEN: 'CANARY-reserved-5e6f' }));
  await create('ci/cased', JSON.stringify({ db_host: 'CANARY-lower-7a8b', DB_HOST: 'x' }));
  await create('ci/variables', JSON.stringify({ variables: 'CANARY-vars-9c0d' }));
  const ssm = fixtureClient(SSMClient, aws.clientConfig);
  const put = (Name: string, Value: string, Type: 'String' | 'SecureString' | 'StringList') =>
    ssm.send(new PutParameterCommand({ Name, Value, Type }));
  await put('/ci/ssm/DB_URL', 'CANARY-ssm-url-1e2f', 'SecureString');
  await put('/ci/ssm/nested/hosts', 'a,b', 'StringList');
  await put('/ci/ssm/json', JSON.stringify({ inner: 'CANARY-ssm-json-3a4b' }), 'String');
  ssm.destroy();
}, 120_000);

const CANARIES = [
  'CANARY-host-1a2b',
  'CANARY-pem-line-1',
  'CANARY-pem-line-2',
  'CANARY-token-3c4d',
  'CANARY-reserved-5e6f',
  'CANARY-lower-7a8b',
  'CANARY-vars-9c0d',
  'CANARY-ssm-url-1e2f',
  'CANARY-ssm-json-3a4b',
];

/** Output lines that are not `::add-mask::` commands must not contain a value. */
function expectOnlyMasks(stdout: string, stderr: string): void {
  const visible = stdout
    .split('\n')
    .filter((l) => !l.startsWith('::add-mask::'))
    .join('\n');
  for (const canary of CANARIES) {
    expect(visible).not.toContain(canary);
    expect(stderr).not.toContain(canary);
  }
}

describe('secrets-env action', () => {
  it('masks every value line by line before exporting them to the job', async () => {
    const run = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/app\n# a comment\n\nci/token=API_TOKEN' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(0);
    expect(run.exportedEnv).toEqual({
      DB_HOST: 'CANARY-host-1a2b',
      TLS_KEY: PEM,
      NESTED_PORT: '5432',
      API_TOKEN: 'CANARY-token-3c4d',
    });
    expect(run.masks).toEqual(
      expect.arrayContaining([
        'CANARY-host-1a2b',
        '-----BEGIN KEY-----',
        'CANARY-pem-line-1',
        'CANARY-pem-line-2',
        'CANARY-token-3c4d',
        '5432',
      ]),
    );
    // Masks come before anything is exported or logged.
    const firstMask = run.stdout.indexOf('::add-mask::');
    expect(firstMask).toBeGreaterThanOrEqual(0);
    expect(
      run.stdout.indexOf('loaded 4 variable(s) from 2 secret(s) as environment'),
    ).toBeGreaterThan(run.stdout.lastIndexOf('::add-mask::'));
    expect(JSON.parse(run.outputs.variables ?? '')).toEqual([
      'DB_HOST',
      'TLS_KEY',
      'NESTED_PORT',
      'API_TOKEN',
    ]);
    expect(run.summary).toContain('| `TLS_KEY` | `ci/app` | `TLS_KEY` |');
    expectOnlyMasks(run.stdout, run.stderr);
  });

  it('keeps variables the job already has unless override', async () => {
    const kept = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/token=API_TOKEN' },
      env: { ...aws.env, API_TOKEN: 'from-the-job' },
    });
    expect(kept.exitCode).toBe(0);
    expect(kept.exportedEnv).toEqual({});
    expect(kept.stdout).toContain('::warning::API_TOKEN is already set in the job');
    expect(kept.masks).toContain('CANARY-token-3c4d');
    const replaced = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/token=API_TOKEN', override: 'true' },
      env: { ...aws.env, API_TOKEN: 'from-the-job' },
    });
    expect(replaced.exportedEnv).toEqual({ API_TOKEN: 'CANARY-token-3c4d' });
  });

  it('sets step outputs with export: outputs', async () => {
    const run = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/app=APP', export: 'outputs', 'name-transform': 'none' },
      env: aws.env,
    });
    expect(run.exitCode).toBe(0);
    expect(run.exportedEnv).toEqual({});
    expect(run.outputs).toMatchObject({
      APP_DB_HOST: 'CANARY-host-1a2b',
      APP_TLS_KEY: PEM,
      APP_nested_port: '5432',
    });
    expectOnlyMasks(run.stdout, run.stderr);
  });

  it('refuses outputs that would hide each other (names ignore case), setting none', async () => {
    const cased = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/cased', export: 'outputs', 'name-transform': 'none' },
      env: aws.env,
    });
    expect(cased.exitCode).toBe(1);
    expect(cased.stdout).toContain('cannot set step output DB_HOST');
    expect(cased.outputs).toEqual({});
    expect(cased.masks).toEqual([]);
    const own = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/variables', export: 'outputs' },
      env: aws.env,
    });
    expect(own.exitCode).toBe(1);
    expect(own.stdout).toContain('the action output "variables"');
    expect(own.outputs).toEqual({});
    expectOnlyMasks(own.stdout, own.stderr);
  });

  it('fails with nothing exported: missing secret, reserved name, bad input', async () => {
    const missing = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/app\nci/missing' },
      env: aws.env,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('::error::secret "ci/missing": not found');
    expect(missing.exportedEnv).toEqual({});
    expect(missing.masks).toEqual([]);
    const reserved = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/reserved' },
      env: aws.env,
    });
    expect(reserved.exitCode).toBe(1);
    expect(reserved.stdout).toContain('cannot export GITHUB_TOKEN');
    expect(reserved.exportedEnv).toEqual({});
    expectOnlyMasks(reserved.stdout, reserved.stderr);
    const none = await runAction(actionDir, { inputs: { 'secret-ids': '' }, env: aws.env });
    expect(none.exitCode).toBe(1);
    expect(none.stdout).toContain('input "secret-ids" is required');
    const badExport = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ci/app', export: 'file' },
      env: aws.env,
    });
    expect(badExport.exitCode).toBe(1);
    expect(badExport.stdout).toContain('input "export" must be env or outputs');
  });

  it('loads SSM parameters and paths beside secrets, masked, with expand-json', async () => {
    const run = await runAction(actionDir, {
      inputs: {
        'secret-ids': 'ci/token=API_TOKEN\nssm:/ci/ssm/\nssm:/ci/ssm/DB_URL=URL',
        'expand-json': 'true',
      },
      env: aws.env,
    });
    expect(run.stdout).not.toContain('::error::');
    expect(run.exitCode).toBe(0);
    expect(run.exportedEnv).toEqual({
      API_TOKEN: 'CANARY-token-3c4d',
      DB_URL: 'CANARY-ssm-url-1e2f',
      JSON_INNER: 'CANARY-ssm-json-3a4b',
      NESTED_HOSTS: 'a,b',
      URL: 'CANARY-ssm-url-1e2f',
    });
    expect(run.masks).toEqual(
      expect.arrayContaining(['CANARY-ssm-url-1e2f', 'CANARY-ssm-json-3a4b', 'a,b']),
    );
    expect(run.summary).toContain('| `DB_URL` | `ssm:/ci/ssm/DB_URL` |');
    expectOnlyMasks(run.stdout, run.stderr);
    const missing = await runAction(actionDir, {
      inputs: { 'secret-ids': 'ssm:/ci/ssm/DB_URL\nssm:/ci/ssm/MISSING' },
      env: aws.env,
    });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toContain('::error::parameter "ssm:/ci/ssm/MISSING": no such parameter');
    expect(missing.exportedEnv).toEqual({});
    expect(missing.masks).toEqual([]);
  });
});
