// Step 5: a security group opened for one address only while a command runs. There is no
// internet here to detect the public IP, so the demo passes a documentation-range address.
import { listIngressRules } from '../../../packages/testkit/src/inventory.ts';
import { type Step, seeded } from '../context.ts';

/** An address from TEST-NET-3 (RFC 5737): never routed, safe to show. */
export const DEMO_IP = '203.0.113.10';

export const ipWindowStep: Step = {
  title: 'Open port 22 for one IP only while a command runs',
  tools: ['sg-ip-window'],
  async run(ctx) {
    const { out, cli } = ctx;
    const s = seeded(ctx);
    const group = s.securityGroupId;
    const run = await cli.run(
      'sg-ip-window',
      [
        'exec',
        '--group',
        group,
        '--port',
        '22',
        '--ip',
        DEMO_IP,
        '--ttl',
        '15m',
        '--',
        'node',
        'scripts/demo/show-ingress.ts',
        group,
      ],
      { cwd: ctx.root },
    );
    if (!run.stdout.includes(`${DEMO_IP}/32`)) {
      throw new Error(`the command inside the window did not see a rule for ${DEMO_IP}/32`);
    }
    out.ok(`while the command ran, ${group} allowed tcp/22 from ${DEMO_IP}/32 only`);
    const after = await listIngressRules(ctx.aws, [group]);
    if (after.length > 0) {
      throw new Error(
        `${group} still has ingress rules after the command: ${after.map((r) => r.id).join(', ')}`,
      );
    }
    out.ok(`after it ended, ${group} has no ingress rules again (closed by rule id)`);
  },
};
