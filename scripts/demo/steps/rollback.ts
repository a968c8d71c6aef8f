// Step 3: the PR environment's versions, and a rollback to the previous image that reuses the
// revision which ran it (no new task definition registered).
import { listAccountResources } from '../../../packages/testkit/src/inventory.ts';
import { type Step, seeded } from '../context.ts';
import { shortArn } from './preview.ts';

export const rollbackStep: Step = {
  title: 'Roll the PR environment back to the previous image',
  tools: ['ecs-rollback'],
  async run(ctx) {
    const { out, cli, state } = ctx;
    const s = seeded(ctx);
    const service = state.prService;
    const [previous, current] = state.prTaskDefinitions;
    if (!service || !previous || !current) throw new Error('step 2 did not record the service');
    const scope = { cluster: s.cluster, listenerArn: s.listenerArn, hostedZoneId: s.hostedZoneId };
    const before = await listAccountResources(ctx.aws, scope);

    await cli.run('ecs-rollback', ['history', '--cluster', s.cluster, '--service', service]);
    out.note(
      'moto lacks the ECS deployment history API, so `previous` falls back to the newest older revision with other images.',
    );
    out.note(
      'moto never finishes a deployment, so the demo passes --no-wait; on AWS, ecs-rollback waits and reports the outcome.',
    );
    await cli.run('ecs-rollback', [
      '--cluster',
      s.cluster,
      '--service',
      service,
      '--to',
      'previous',
      '--no-wait',
    ]);

    const after = await listAccountResources(ctx.aws, scope);
    const running = after.services.find((svc) => svc.name === service)?.taskDefinition;
    if (running !== previous) {
      throw new Error(
        `${service} runs ${running ?? 'nothing'} after the rollback; expected ${shortArn(previous)}`,
      );
    }
    const revisions = (inv: typeof before) =>
      inv.taskDefinitionFamilies.reduce((n, f) => n + f.activeRevisions, 0);
    if (revisions(after) !== revisions(before)) {
      throw new Error(
        'the rollback registered a new task definition revision instead of reusing one',
      );
    }
    out.ok(
      `${service}: ${shortArn(current)} -> ${shortArn(previous)} (revision reused, none registered)`,
    );
  },
};
