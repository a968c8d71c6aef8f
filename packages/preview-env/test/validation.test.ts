import { CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { useAws } from '@berth/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import { type Fixture, fakeClock, IMAGE_1, inventory, setup } from './helpers.ts';

const aws = useAws();
let fx: Fixture;
beforeAll(async () => {
  fx = await setup(aws);
});

describe('checked before anything is created', () => {
  it('reports an exhausted priority range without creating anything', async () => {
    // 11 priorities (2000..2010), all taken by hand-made rules.
    for (let p = 2000; p <= 2010; p++) {
      await fx.clients.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: fx.seed.listenerArn,
          Priority: p,
          Conditions: [
            { Field: 'host-header', HostHeaderConfig: { Values: [`h${p}.example.org`] } },
          ],
          Actions: [{ Type: 'forward', TargetGroupArn: fx.seed.targetGroupArn }],
        }),
      );
    }
    const before = await inventory(fx);
    const previews = createPreviewEnv({
      config: resolveConfig({ ...fx.config, priorityMin: 2000, priorityMax: 2010 }),
      clients: fx.clients,
      clock: fakeClock(),
    });
    aws.proxy.resetStats();
    await expect(previews.create('pr-500', { image: IMAGE_1 })).rejects.toMatchObject({
      code: 'E_CAPACITY',
      message: expect.stringContaining('every priority between 2000 and 2010 is taken'),
    });
    const writes = Object.keys(aws.proxy.stats().byOperation).filter(
      (op) => !/^(Describe|List|Get)/.test(op),
    );
    expect(writes).toEqual([]);
    expect(await inventory(fx)).toEqual(before);
  });

  it('refuses a malformed image before any AWS call', async () => {
    const previews = createPreviewEnv({
      config: fx.config,
      clients: fx.clients,
      clock: fakeClock(),
    });
    aws.proxy.resetStats();
    await expect(
      previews.create('pr-501', { image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1:2' }),
    ).rejects.toMatchObject({ code: 'E_INPUT', exitCode: 2 });
    expect(aws.proxy.stats().total).toBe(0);
  });
});
