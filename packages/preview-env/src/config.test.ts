import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, resolveConfig } from './config.ts';

const LISTENER =
  'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2';
const YAML = `cluster: dev
referenceService: app-dev00
listenerArn: ${LISTENER}
domain: preview.example.com
hostedZoneId: Z0123456789
namePrefix: app
container: web
ttl: 3d
env:
  LOG_LEVEL: debug
  PORT: 8080
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'preview-env-config-'));
  dirs.push(d);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

describe('loadConfig', () => {
  it('reads preview-env.yml with defaults for the rest', () => {
    const config = loadConfig({ cwd: dir({ 'preview-env.yml': YAML }), env: {} });
    expect(config).toEqual({
      cluster: 'dev',
      referenceService: 'app-dev00',
      listenerArn: LISTENER,
      listenerArns: [LISTENER],
      domain: 'preview.example.com',
      hostedZoneId: 'Z0123456789',
      namePrefix: 'app',
      container: 'web',
      ttl: 3 * 86_400_000,
      env: { LOG_LEVEL: 'debug', PORT: '8080' },
      desiredCount: 1,
      priorityMin: 1000,
      priorityMax: 50000,
      maxRules: 100,
      maxTargetGroups: 100,
      deregistrationDelay: 10_000,
      waitTimeout: 900_000,
      drainTimeout: 300_000,
      scheme: 'https',
      region: 'eu-west-1',
      source: 'preview-env.yml',
    });
  });

  it('reads JSON too, and lets environment variables and then flags win', () => {
    const cwd = dir({
      'ci.json': JSON.stringify({
        cluster: 'dev',
        referenceService: 'a',
        listenerArn: LISTENER,
        domain: 'p.example.com',
        env: { A: '1' },
      }),
    });
    const config = loadConfig({
      cwd,
      file: 'ci.json',
      env: { PREVIEW_ENV_CLUSTER: 'staging', PREVIEW_ENV_TTL: '12h', PREVIEW_ENV_ENV: 'B=2\nC=3' },
      overrides: { cluster: 'qa', maxRules: '150' },
      overridesAre: 'flag',
    });
    expect(config).toMatchObject({
      cluster: 'qa',
      ttl: 43_200_000,
      maxRules: 150,
      env: { A: '1', B: '2', C: '3' },
      source: 'ci.json',
    });
  });

  it('works from the environment alone', () => {
    const config = loadConfig({
      cwd: dir({}),
      env: {
        PREVIEW_ENV_CLUSTER: 'dev',
        PREVIEW_ENV_REFERENCE_SERVICE: 'app-dev00',
        PREVIEW_ENV_LISTENER_ARN: LISTENER,
        PREVIEW_ENV_DOMAIN: 'Preview.Example.com.',
        PREVIEW_ENV_ENV: '{"X":"y"}',
      },
    });
    expect(config).toMatchObject({
      domain: 'preview.example.com',
      env: { X: 'y' },
      source: 'flags and environment',
    });
  });

  it('keeps commas in PREVIEW_ENV_ENV values and never echoes a malformed line', () => {
    const base = {
      PREVIEW_ENV_CLUSTER: 'dev',
      PREVIEW_ENV_REFERENCE_SERVICE: 'app-dev00',
      PREVIEW_ENV_LISTENER_ARN: LISTENER,
      PREVIEW_ENV_DOMAIN: 'preview.example.com',
    };
    const config = loadConfig({ cwd: dir({}), env: { ...base, PREVIEW_ENV_ENV: 'LIST=a,b' } });
    expect(config.env).toEqual({ LIST: 'a,b' });
    const pasted = 'hunter2-not-a-key-value-line';
    const read = () =>
      loadConfig({ cwd: dir({}), env: { ...base, PREVIEW_ENV_ENV: `A=1\n${pasted}` } });
    expect(read).toThrow(/line 2 is not KEY=value/);
    expect(read).not.toThrow(new RegExp(pasted));
  });

  it('names the key, and where it was set, in every error', () => {
    const bad =
      (text: string, extra: object = {}) =>
      () =>
        loadConfig({ cwd: dir({ 'preview-env.yml': text }), env: {}, ...extra });
    expect(bad(YAML.replace('ttl: 3d', 'ttl: 3'))).toThrow(
      'preview-env.yml: key "ttl" must be a duration',
    );
    expect(bad(YAML.replace('ttl: 3d', 'ttl: "3"'))).toThrow('add a unit');
    expect(
      bad(
        YAML.replace(
          LISTENER,
          'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/x/1',
        ),
      ),
    ).toThrow(
      'preview-env.yml: key "listenerArn" must be an Application Load Balancer listener ARN',
    );
    expect(bad(`${YAML}clustr: x\n`)).toThrow('unknown key "clustr"');
    expect(bad(`${YAML}Cluster: x\n`)).toThrow('did you mean "cluster"?');
    expect(bad(YAML.replace('namePrefix: app', 'namePrefix: App_'))).toThrow('key "namePrefix"');
    expect(bad(YAML.replace('  LOG_LEVEL: debug', '  log-level: debug'))).toThrow(
      'key "env" has "log-level"',
    );
    expect(bad('cluster: [unclosed')).toThrow('preview-env.yml is not valid YAML or JSON');
    expect(bad('- a list')).toThrow('must hold a map');
    expect(bad(YAML, { env: { PREVIEW_ENV_MAX_RULES: 'lots' } })).toThrow(
      'PREVIEW_ENV_MAX_RULES must be a whole number',
    );
    expect(bad(YAML, { overrides: { priorityMin: '0' }, overridesAre: 'flag' })).toThrow(
      '--priority-min must be between 1 and 50000',
    );
    expect(bad(YAML, { overrides: { scheme: 'ftp' }, overridesAre: 'flag' })).toThrow(
      '--scheme must be one of https, http',
    );
    expect(bad('cluster: dev\n')).toThrow(
      'missing configuration: referenceService (--reference-service or PREVIEW_ENV_REFERENCE_SERVICE), listenerArn',
    );
    expect(() => loadConfig({ cwd: dir({}), file: 'nope.yml', env: {} })).toThrow(
      'cannot read config file nope.yml: ENOENT',
    );
    try {
      bad('cluster: dev\n')();
    } catch (error) {
      expect(error).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
    }
  });

  it('resolveConfig validates a configuration given in code and is a fixed point', () => {
    const config = resolveConfig({
      cluster: 'dev',
      referenceService: 'a',
      listenerArn: LISTENER,
      domain: 'p.example.com',
      ttl: 60_000,
    });
    expect(config.ttl).toBe(60_000);
    expect(resolveConfig(config)).toEqual(config);
    expect(resolveConfig(config, { namePrefix: 'shop' }).namePrefix).toBe('shop');
    expect(() => resolveConfig({ ...config, namePrefix: 'internal' })).toThrow('internal-');
    expect(() => resolveConfig({ ...config, namePrefix: 'internal-app' })).toThrow('internal-');
    expect(resolveConfig({ ...config, namePrefix: 'internals' }).namePrefix).toBe('internals');
    expect(() => resolveConfig(config, { bogus: 1 } as never)).toThrow(
      'unknown configuration option "bogus"',
    );
  });
});
