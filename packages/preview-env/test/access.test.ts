import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import type { AccessConfig } from '../src/config-objects.ts';
import { PreviewEnvError } from '../src/errors.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
const SECRET = 'oidc-client-s3cret-never-shown';
const OIDC = {
  issuer: 'https://login.example.com',
  authorizationEndpoint: 'https://login.example.com/authorize',
  tokenEndpoint: 'https://login.example.com/token',
  userInfoEndpoint: 'https://login.example.com/userinfo',
  clientId: 'preview-apps',
  clientSecretFrom: 'preview/oidc:clientSecret',
};

beforeAll(async () => {
  fx = await setup(aws);
  await fx.secretsManager.send(
    new CreateSecretCommand({
      Name: 'preview/oidc',
      SecretString: JSON.stringify({ clientSecret: SECRET }),
    }),
  );
});

function previews(access: AccessConfig | undefined, lines: string[] = []) {
  return createPreviewEnv({
    config: resolveConfig({ ...fx.config, ...(access ? { access } : {}) }),
    clients: { ...fx.clients, secretsManager: fx.secretsManager },
    clock: fakeClock(),
    logger: {
      info: (m) => lines.push(m),
      warn: (m) => lines.push(m),
      debug: (m) => lines.push(m),
    },
  });
}

async function ruleOf(arn: string): Promise<Rule | undefined> {
  const out = await fx.clients.elbv2.send(new DescribeRulesCommand({ RuleArns: [arn] }));
  return out.Rules?.[0];
}

describe('access', () => {
  it('puts source-ip and authenticate-oidc on a new environment, and never shows the secret', async () => {
    const lines: string[] = [];
    const access = { allowCidrs: ['203.0.113.0/24', '2001:db8::/32'], oidc: OIDC };
    const env = await previews(access, lines).create('pr-300', { image: IMAGE_1 });
    expect(env.outcome).toBe('created');
    const rule = await ruleOf(env.ruleArn);
    const sourceIp = rule?.Conditions?.find((c) => c.Field === 'source-ip');
    expect(sourceIp?.SourceIpConfig?.Values?.sort()).toEqual(['2001:db8::/32', '203.0.113.0/24']);
    expect(
      rule?.Conditions?.find((c) => c.Field === 'host-header')?.HostHeaderConfig?.Values,
    ).toEqual(['pr-300.preview.example.com']);
    const actions = [...(rule?.Actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
    expect(actions.map((a) => a.Type)).toEqual(['authenticate-oidc', 'forward']);
    expect(actions[0]?.AuthenticateOidcConfig).toMatchObject({
      Issuer: OIDC.issuer,
      ClientId: OIDC.clientId,
      TokenEndpoint: OIDC.tokenEndpoint,
    });
    expect(actions[1]?.TargetGroupArn).toBe(env.targetGroupArn);

    // The secret reached ELB and nothing else: not the result, logs, tags, task definition.
    const { ecs, elbv2 } = fx.clients;
    const [tags, td, svc] = await Promise.all([
      elbv2.send(new DescribeTagsCommand({ ResourceArns: [env.ruleArn, env.targetGroupArn] })),
      ecs.send(
        new DescribeTaskDefinitionCommand({
          taskDefinition: env.taskDefinitionArn,
          include: ['TAGS'],
        }),
      ),
      ecs.send(
        new DescribeServicesCommand({
          cluster: fx.config.cluster,
          services: [env.serviceName],
          include: ['TAGS'],
        }),
      ),
    ]);
    for (const seen of [env, lines, tags.TagDescriptions, td, svc.services]) {
      expect(JSON.stringify(seen)).not.toContain(SECRET);
    }
    // An unchanged re-create reads no secret and writes nothing.
    aws.proxy.resetStats();
    const again = await previews(access).create('pr-300', { image: IMAGE_1 });
    expect(again.outcome).toBe('unchanged');
    expect(
      Object.keys(aws.proxy.stats().byOperation).filter((o) => !/^(Describe|List)/.test(o)),
    ).toEqual([]);
    await previews(access).delete('pr-300');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('changing access updates the rule of an existing environment, keeping the secret and the deployment', async () => {
    const open = await previews(undefined).create('pr-301', { image: IMAGE_1 });
    expect((await ruleOf(open.ruleArn))?.Actions?.map((a) => a.Type)).toEqual(['forward']);

    aws.proxy.resetStats();
    const locked = await previews({ allowCidrs: ['198.51.100.0/24'], oidc: OIDC }).create(
      'pr-301',
      { image: IMAGE_1 },
    );
    const stats = aws.proxy.stats().byOperation;
    expect(locked.outcome).toBe('updated');
    expect(locked.ruleArn).toBe(open.ruleArn);
    expect(locked.taskDefinitionArn).toBe(open.taskDefinitionArn);
    expect(stats.GetSecretValue).toBe(1);
    expect(stats.ModifyRule).toBe(1);
    expect(stats.UpdateService).toBeUndefined();
    expect(stats.RegisterTaskDefinition).toBeUndefined();
    let rule = await ruleOf(open.ruleArn);
    expect(rule?.Conditions?.find((c) => c.Field === 'source-ip')?.SourceIpConfig?.Values).toEqual([
      '198.51.100.0/24',
    ]);

    // Same client, another scope: the rule keeps the secret AWS holds; none is read.
    aws.proxy.resetStats();
    const rescoped = await previews({ oidc: { ...OIDC, scope: 'openid email' } }).create('pr-301', {
      image: IMAGE_2,
    });
    expect(rescoped.outcome).toBe('updated');
    expect(aws.proxy.stats().byOperation.GetSecretValue).toBeUndefined();
    rule = await ruleOf(open.ruleArn);
    expect(rule?.Conditions?.some((c) => c.Field === 'source-ip')).toBe(false);
    const auth = rule?.Actions?.find((a) => a.Type === 'authenticate-oidc');
    expect(auth?.AuthenticateOidcConfig?.Scope).toBe('openid email');

    // Cognito instead, then open again.
    const cognito = {
      userPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf123',
      userPoolClientId: 'client123',
      userPoolDomain: 'previews',
    };
    await previews({ cognito }).create('pr-301', { image: IMAGE_2 });
    expect((await ruleOf(open.ruleArn))?.Actions?.map((a) => a.Type).sort()).toEqual([
      'authenticate-cognito',
      'forward',
    ]);
    await previews(undefined).create('pr-301', { image: IMAGE_2 });
    expect((await ruleOf(open.ruleArn))?.Actions?.map((a) => a.Type)).toEqual(['forward']);
    await previews(undefined).delete('pr-301');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('refuses sign-in on an HTTP listener before creating anything (exit 2)', async () => {
    const lbArn = fx.seed.listenerArn
      .replace(':listener/', ':loadbalancer/')
      .replace(/\/[0-9a-f]+$/, '');
    const http = await fx.clients.elbv2.send(
      new CreateListenerCommand({
        LoadBalancerArn: lbArn,
        Protocol: 'HTTP',
        Port: 8081,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain' },
          },
        ],
      }),
    );
    const { listenerArns: _pool, ...base } = fx.config;
    const config = resolveConfig({
      ...base,
      listenerArn: http.Listeners?.[0]?.ListenerArn as string,
      access: { oidc: OIDC },
    });
    const error = await createPreviewEnv({ config, clients: fx.clients, clock: fakeClock() })
      .create('pr-302', { image: IMAGE_1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreviewEnvError);
    expect(error).toMatchObject({ code: 'E_CONFIG', exitCode: 2 });
    expect((error as Error).message).toMatch(/access\.oidc needs an HTTPS listener/);
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('removes what it made, and restores a changed rule, when a new call fails', async () => {
    const open = await previews(undefined).create('pr-303', { image: IMAGE_1 });
    const access = { allowCidrs: ['198.51.100.0/24'], oidc: OIDC };
    for (const operation of ['GetSecretValue', 'ModifyRule']) {
      aws.proxy.fail({ operation, error: { code: 'AccessDeniedException', status: 400 } });
      const error = await previews(access)
        .create('pr-303', { image: IMAGE_2 })
        .catch((e: unknown) => e);
      aws.proxy.clearFaults();
      expect(error, operation).toMatchObject({ code: 'E_AWS' });
      expect(JSON.stringify((error as PreviewEnvError).toJSON())).not.toContain(SECRET);
      const rule = await ruleOf(open.ruleArn);
      expect(
        rule?.Actions?.map((a) => a.Type),
        operation,
      ).toEqual(['forward']);
      expect(
        rule?.Conditions?.some((c) => c.Field === 'source-ip'),
        operation,
      ).toBe(false);
      expect((await inventory(fx)).taskDefinitions, operation).toEqual(['app-pr-303:1']);
    }
    // A new environment whose rule creation fails leaves nothing.
    aws.proxy.fail({ operation: 'GetSecretValue', error: { code: 'ResourceNotFoundException' } });
    await expect(previews(access).create('pr-304', { image: IMAGE_1 })).rejects.toMatchObject({
      code: 'E_AWS',
      step: 'read OIDC client secret',
    });
    aws.proxy.clearFaults();
    await previews(undefined).delete('pr-303');
    expect(await inventory(fx)).toEqual(EMPTY);
  });
});
