import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';
import { isCidr, parseSecretRef } from './config-objects.ts';

const BASE = `cluster: dev
referenceService: app-dev00
listenerArn: arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2
domain: preview.example.com
`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const d = mkdtempSync(join(tmpdir(), 'preview-env-objects-'));
  dirs.push(d);
  writeFileSync(join(d, 'preview-env.yml'), BASE + yaml);
  return loadConfig({ cwd: d, env });
}

const OIDC = `  oidc:
    issuer: https://login.example.com
    authorizationEndpoint: https://login.example.com/authorize
    tokenEndpoint: https://login.example.com/token
    userInfoEndpoint: https://login.example.com/userinfo
    clientId: preview-apps
    clientSecretFrom: preview/oidc:clientSecret
`;

describe('access and hooks in the configuration', () => {
  it('reads access and hooks from the file', () => {
    const config = load(`access:
  allowCidrs: [203.0.113.0/24, 2001:db8::/32]
${OIDC}hooks:
  predeploy: { command: [npm, run, migrate], timeout: 10m }
  postcreate: { command: [npm, run, seed], container: worker }
`);
    expect(config.access).toEqual({
      allowCidrs: ['203.0.113.0/24', '2001:db8::/32'],
      oidc: expect.objectContaining({ clientSecretFrom: 'preview/oidc:clientSecret' }),
    });
    expect(config.hooks).toEqual({
      predeploy: { command: ['npm', 'run', 'migrate'], timeout: 600_000 },
      postcreate: { command: ['npm', 'run', 'seed'], timeout: 600_000, container: 'worker' },
    });
  });

  it('takes JSON from the environment variable', () => {
    const config = load('', { PREVIEW_ENV_ACCESS: '{"allowCidrs":["10.0.0.0/8"]}' });
    expect(config.access).toEqual({ allowCidrs: ['10.0.0.0/8'] });
  });

  it('refuses more than 4 CIDRs, saying why', () => {
    expect(() =>
      load(
        'access:\n  allowCidrs: [10.0.0.0/8, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16]\n',
      ),
    ).toThrow(/has 5 CIDRs; at most 4 fit \(an ALB rule takes 5 condition values/);
  });

  it('refuses bad access and hooks with the key named (exit 2)', () => {
    const cases: [string, RegExp][] = [
      ['access:\n  allowCidrs: [10.0.0.300/8]\n', /access"?\.allowCidrs has "10\.0\.0\.300\/8"/],
      [
        `access:\n${OIDC}  cognito: { userPoolArn: x, userPoolClientId: y, userPoolDomain: z }\n`,
        /both oidc and cognito/,
      ],
      [
        `access:\n${OIDC.replace('https://login.example.com/token', 'http://login.example.com/token')}`,
        /tokenEndpoint must be an https:\/\/ URL/,
      ],
      [`access:\n${OIDC}    clientSecret: hunter2\n`, /unknown key "clientSecret"/],
      ['access:\n  allowCidr: [10.0.0.0/8]\n', /unknown key "allowCidr"/],
      [
        'hooks:\n  predeploy: { command: npm run migrate }\n',
        /predeploy\.command must be a non-empty list/,
      ],
      ['hooks:\n  predeploy: { command: [x], timeout: 0s }\n', /timeout must be more than 0s/],
      ['hooks:\n  postdeploy: { command: [x] }\n', /unknown key "postdeploy"/],
    ];
    for (const [yaml, message] of cases) {
      let error: unknown;
      try {
        load(yaml);
      } catch (e) {
        error = e;
      }
      expect(error, yaml).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
      expect((error as Error).message, yaml).toMatch(message);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it('parses CIDRs and secret references', () => {
    expect(['203.0.113.0/24', '0.0.0.0/0', '2001:db8::/32', '::/0'].every(isCidr)).toBe(true);
    expect(
      ['203.0.113.0', '203.0.113.0/33', '2001:db8::/129', 'x/1', '1.2.3.4/ 8'].some(isCidr),
    ).toBe(false);
    expect(parseSecretRef('preview/oidc', 'k')).toEqual({ secretId: 'preview/oidc' });
    expect(parseSecretRef('preview/oidc:clientSecret', 'k')).toEqual({
      secretId: 'preview/oidc',
      key: 'clientSecret',
    });
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:preview/oidc-AbCdEf';
    expect(parseSecretRef(arn, 'k')).toEqual({ secretId: arn });
    expect(parseSecretRef(`${arn}:clientSecret`, 'k')).toEqual({
      secretId: arn,
      key: 'clientSecret',
    });
  });
});

describe('validation of other keys (issue 13)', () => {
  it('bounds desiredCount', () => {
    expect(() => load('desiredCount: 99999999999999999999\n')).toThrow(
      /key "desiredCount" is "1e\+20", out of range: at most 5000|key "desiredCount" is .*out of range: at most 5000/,
    );
    expect(() => load('', { PREVIEW_ENV_DESIRED_COUNT: '99999999999999999999' })).toThrow(
      /PREVIEW_ENV_DESIRED_COUNT is "99999999999999999999", out of range: at most 5000/,
    );
    expect(load('desiredCount: 3\n').desiredCount).toBe(3);
  });

  it('keeps commas in PREVIEW_ENV_ENV values (one variable per line)', () => {
    expect(load('', { PREVIEW_ENV_ENV: 'LIST=a,b\nOTHER=c' }).env).toEqual({
      LIST: 'a,b',
      OTHER: 'c',
    });
  });
});
