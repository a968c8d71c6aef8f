import { CreateServiceCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  CreateRuleCommand,
  DeleteRuleCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { PreviewEnvError } from '../src/errors.ts';
import { EMPTY, type Fixture, fakeClock, IMAGE_1, IMAGE_2, inventory, setup } from './helpers.ts';
import { createEnvironment, deleteEnvironment, listEnvironments } from './legacy.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

describe('failures', () => {
  it('removes what it created when any AWS call of a create fails, and names the step', async () => {
    aws.proxy.resetStats();
    await createEnvironment('count-calls', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    const calls = aws.proxy.stats().total;
    await deleteEnvironment('count-calls', {
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    expect(calls).toBeGreaterThanOrEqual(11);

    const steps = new Set<string>();
    for (let nth = 1; nth <= calls; nth++) {
      aws.proxy.resetStats();
      aws.proxy.fail({ nth, error: { code: 'AccessDenied', message: 'injected', status: 403 } });
      const error = await createEnvironment('pr-77', {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }).then(
        () => undefined,
        (e: unknown) => e,
      );
      aws.proxy.clearFaults();
      const failed = aws.proxy.calls.find((c) => c.injected);
      expect(error, `call ${nth} (${failed?.operation})`).toBeInstanceOf(PreviewEnvError);
      const e = error as PreviewEnvError;
      expect(e.code).toBe('E_AWS');
      expect(e.awsCode).toBe('AccessDenied');
      expect(e.step).toBeTruthy();
      expect(e.message).toContain(`${e.step} failed for`);
      expect(e.message).toContain('IAM permissions');
      steps.add(`${failed?.operation} -> ${e.step}`);
      expect(await inventory(fx), `after failing call ${nth} (${failed?.operation})`).toEqual(
        EMPTY,
      );
    }
    const operations = [...steps].map((s) => s.split(' ->')[0]);
    for (const op of [
      'DescribeServices',
      'DescribeRules',
      'DescribeTaskDefinition',
      'CreateTargetGroup',
      'RegisterTaskDefinition',
      'ModifyTargetGroupAttributes',
      'CreateRule',
      'ChangeResourceRecordSets',
      'CreateService',
    ]) {
      expect(operations).toContain(op);
    }
  });

  it('leaves an existing environment as it was when an update fails', async () => {
    const clock = fakeClock();
    const first = await createEnvironment('pr-78', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    aws.proxy.fail({
      operation: 'UpdateService',
      error: { code: 'AccessDeniedException', status: 400 },
    });
    await expect(
      createEnvironment('pr-78', { image: IMAGE_2, config: fx.config, clients: fx.clients, clock }),
    ).rejects.toMatchObject({ code: 'E_AWS', step: 'update service' });
    aws.proxy.clearFaults();
    const [env] = await listEnvironments({ config: fx.config, clients: fx.clients });
    expect(env).toMatchObject({
      name: 'pr-78',
      image: IMAGE_1,
      taskDefinitionArn: first.taskDefinitionArn,
      status: 'running',
    });
    expect((await inventory(fx)).taskDefinitions).toEqual(['app-pr-78:1']);
    await deleteEnvironment('pr-78', { config: fx.config, clients: fx.clients });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('reports what a failed rollback left, and delete removes it', async () => {
    aws.proxy.fail({
      operation: 'CreateService',
      error: { code: 'InvalidParameterException', message: 'boom' },
    });
    aws.proxy.fail({
      operation: 'DeleteRule',
      nth: 1,
      error: { code: 'ThrottlingException', status: 400 },
    });
    const error = (await createEnvironment('pr-79', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    }).catch((e: unknown) => e)) as PreviewEnvError;
    aws.proxy.clearFaults();
    expect(error.code).toBe('E_ROLLBACK');
    expect(error.step).toBe('create service');
    expect(error.leftovers).toEqual([
      'listener rule for pr-79.preview.example.com',
      'target group app-pr-79',
    ]);
    expect(error.message).toContain('preview-env delete pr-79');
    const left = await inventory(fx);
    expect(left.rules).toHaveLength(1);
    expect(left.targetGroups).toEqual(['app-pr-79']);

    const [env] = await listEnvironments({ config: fx.config, clients: fx.clients });
    expect(env).toMatchObject({ name: 'pr-79', status: 'incomplete', missing: ['service'] });
    await deleteEnvironment('pr-79', {
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('tolerates ResourceInUse while the rule deletion settles, and a CNAME instead of an A-ALIAS record', async () => {
    const env = await createEnvironment('pr-80', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    const { route53 } = fx.clients;
    // Someone replaced the A-ALIAS record with a CNAME.
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: fx.seed.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'DELETE',
              ResourceRecordSet: {
                Name: env.host,
                Type: 'A',
                AliasTarget: {
                  DNSName: fx.seed.loadBalancerDnsName,
                  HostedZoneId: 'Z2P70J7EXAMPLE',
                  EvaluateTargetHealth: false,
                },
              },
            },
            {
              Action: 'CREATE',
              ResourceRecordSet: {
                Name: env.host,
                Type: 'CNAME',
                TTL: 60,
                ResourceRecords: [{ Value: fx.seed.loadBalancerDnsName }],
              },
            },
          ],
        },
      }),
    );
    aws.proxy.fail({ operation: 'DeleteTargetGroup', error: { code: 'ResourceInUse' }, times: 2 });
    const clock = fakeClock();
    const result = await deleteEnvironment('pr-80', {
      config: fx.config,
      clients: fx.clients,
      clock,
    });
    aws.proxy.clearFaults();
    expect(clock.slept).toHaveLength(2);
    expect(result.removed).toEqual(
      expect.arrayContaining([
        'target group app-pr-80',
        'DNS record pr-80.preview.example.com CNAME',
        'service app-pr-80',
      ]),
    );
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('treats RuleNotFound from DeleteRule as already deleted', async () => {
    const env = await createEnvironment('pr-81', {
      image: IMAGE_1,
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    // Real AWS answers RuleNotFound when the rule went away after delete read it; moto
    // succeeds silently on unknown ARNs, so remove it by hand and let the proxy answer.
    await fx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: env.ruleArn }));
    const stale = aws.proxy.fail({ operation: 'DeleteRule', error: { code: 'RuleNotFound' } });
    // delete only calls DeleteRule for rules it found: make DescribeRules still show it.
    const elbv2 = new ElasticLoadBalancingV2Client(aws.clientConfig);
    elbv2.middlewareStack.add(
      (next, context) => async (args) => {
        const out = await next(args);
        if (context.commandName === 'DescribeRulesCommand') {
          const output = out.output as { Rules?: unknown[] };
          output.Rules = [
            ...(output.Rules ?? []),
            {
              RuleArn: env.ruleArn,
              Priority: String(env.rulePriority),
              IsDefault: false,
              Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [env.host] } }],
              Actions: [],
            },
          ];
        }
        return out;
      },
      { step: 'initialize', name: 'staleRules' },
    );
    const result = await deleteEnvironment('pr-81', {
      config: fx.config,
      clients: { ...fx.clients, elbv2 },
      clock: fakeClock(),
    });
    stale();
    expect(
      aws.proxy.calls.some((c) => c.operation === 'DeleteRule' && c.injected === 'RuleNotFound'),
    ).toBe(true);
    expect(result.removed).toContain('target group app-pr-81');
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('leaves a hand-made rule for the same host alone, in create and in delete', async () => {
    const host = 'hand-rule.preview.example.com';
    const made = await fx.clients.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: fx.seed.listenerArn,
        Priority: 7,
        Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [host] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: fx.seed.targetGroupArn }],
      }),
    );
    const ruleArn = made.Rules?.[0]?.RuleArn as string;
    await expect(
      createEnvironment('hand-rule', {
        image: IMAGE_1,
        config: fx.config,
        clients: fx.clients,
        clock: fakeClock(),
      }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', resource: ruleArn });
    expect((await inventory(fx)).rules).toEqual([`7 ${host}`]);
    const deleted = await deleteEnvironment('hand-rule', {
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    expect(deleted).toMatchObject({
      deleted: false,
      skipped: [`listener rule ${host} (priority 7) (not tagged preview-env:name=hand-rule)`],
    });
    expect((await inventory(fx)).rules).toEqual([`7 ${host}`]);
    await fx.clients.elbv2.send(new DeleteRuleCommand({ RuleArn: ruleArn }));
    expect(await inventory(fx)).toEqual(EMPTY);
  });

  it('refuses a service of the same name that is not an environment, creating nothing', async () => {
    await new ECSClient(aws.clientConfig).send(
      new CreateServiceCommand({
        cluster: 'dev',
        serviceName: 'app-hand-made',
        taskDefinition: fx.seed.taskDefinitionArn,
        desiredCount: 0,
      }),
    );
    await expect(
      createEnvironment('hand-made', { image: IMAGE_1, config: fx.config, clients: fx.clients }),
    ).rejects.toMatchObject({ code: 'E_CONFLICT', exitCode: 1 });
    const left = await inventory(fx);
    expect({ ...left, services: [] }).toEqual(EMPTY);
    const deleted = await deleteEnvironment('hand-made', {
      config: fx.config,
      clients: fx.clients,
    });
    expect(deleted.skipped).toEqual([
      'service app-hand-made (not tagged preview-env:name=hand-made)',
    ]);
    expect((await inventory(fx)).services).toEqual(['app-hand-made']);
  });
});
