// Step 7: delete the PR environment, sweep the stale branch environment, and prove that
// nothing is left besides what the seed created.
import { setTimeout as sleep } from 'node:timers/promises';
import { type Step, seeded } from '../context.ts';
import { findLeftovers, LEFTOVER_LABELS, type Leftovers } from '../verify.ts';

/** Age past which `sweep` removes an environment in the demo (3d in real life). */
const SWEEP_AGE_S = 5;

export const teardownStep: Step = {
  title: 'Delete the PR environment, sweep stale ones, check nothing is left',
  tools: ['preview-env'],
  async run(ctx) {
    const { out, cli, state } = ctx;
    const s = seeded(ctx);
    out.note('The pull request is closed:');
    await cli.run('preview-env', ['delete', '42']);

    out.note(
      `A scheduled sweep removes environments not deployed for a while (${SWEEP_AGE_S}s here, 3d by default):`,
    );
    // The branch environment must really be older than the threshold before sweeping.
    const age = Date.now() - (state.branchDeployedAt ?? 0);
    if (age < (SWEEP_AGE_S + 1) * 1000) await sleep((SWEEP_AGE_S + 1) * 1000 - age);
    await cli.run('preview-env', ['sweep', '--older-than', `${SWEEP_AGE_S}s`, '--dry-run']);
    await cli.run('preview-env', ['sweep', '--older-than', `${SWEEP_AGE_S}s`]);
    await cli.run('preview-env', ['ls']);

    out.note('Checking the account for anything left behind:');
    const leftovers = await findLeftovers(ctx.aws, s);
    ctx.leftovers = leftovers;
    let clean = true;
    for (const kind of Object.keys(LEFTOVER_LABELS) as (keyof Leftovers)[]) {
      const found = leftovers[kind];
      if (found.length === 0) out.ok(`no ${LEFTOVER_LABELS[kind]}`);
      else {
        clean = false;
        out.fail(`${LEFTOVER_LABELS[kind]} left: ${found.join('; ')}`);
      }
    }
    if (!clean) throw new Error('resources were left behind (listed above)');
    out.ok('Nothing left: the account is exactly as seeded.');
  },
};
