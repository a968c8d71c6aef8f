// Step 6: a batch job wrapped by `heartbeat run`, reporting to a local Healthchecks-compatible
// server: the check registered through the management API, a good run, a failing run.
import { startHealthchecksServer } from '../../../packages/testkit/src/healthchecks-server.ts';
import type { Step } from '../context.ts';

const GOOD_JOB = 'console.log("backup: 3 tables, 1204 rows")';
const BAD_JOB = 'console.error("backup: cannot reach the database"); process.exit(3)';

export const heartbeatStep: Step = {
  title: 'Prove a batch job ran: heartbeat run against a Healthchecks server',
  tools: ['heartbeat'],
  async run(ctx) {
    const { out, cli } = ctx;
    const hc = await startHealthchecksServer({ pingBodyLimit: 10_000 });
    ctx.healthchecks = hc;
    ctx.onCleanup(() => hc.close());
    const env = { HC_API_URL: hc.apiUrl, HC_API_KEY: hc.apiKey };
    out.ok(`Healthchecks-compatible server on ${hc.url} (HC_API_URL and HC_API_KEY set)`);

    const registered = await cli.run(
      'heartbeat',
      [
        'register',
        '--name',
        'nightly-backup',
        '--slug',
        'nightly-backup',
        '--timeout',
        '1d',
        '--grace',
        '1h',
      ],
      { env },
    );
    const check = hc.checks.find((c) => c.slug === 'nightly-backup');
    if (!check) throw new Error('heartbeat register did not create the check nightly-backup');
    const pingUrl = /https?:\/\/\S+/.exec(registered.stdout)?.[0] ?? hc.pingUrlOf(check);

    await cli.run('heartbeat', ['run', '--ping-url', pingUrl, '--', 'node', '-e', GOOD_JOB], {
      env,
    });
    const failed = await cli.run(
      'heartbeat',
      ['run', '--ping-url', pingUrl, '--', 'node', '-e', BAD_JOB],
      { env, expect: [3] },
    );
    out.ok(`the failing job's own exit code came through: ${failed.code}`);

    out.note('What the Healthchecks server recorded:');
    const lines = check.pings.map((p) => {
      const what = p.exitStatus === undefined ? p.kind : `exit status ${p.exitStatus}`;
      const body = p.body.toString().trim().split('\n').pop() ?? '';
      return `#${p.n} ${what.padEnd(13)} rid=${p.rid?.slice(0, 8) ?? '-'}…${body ? `  "${body}"` : ''}`;
    });
    out.block(lines.join('\n'));
    const kinds = check.pings.map((p) => (p.exitStatus === undefined ? p.kind : p.exitStatus));
    if (JSON.stringify(kinds) !== JSON.stringify(['start', 0, 'start', 3])) {
      throw new Error(`unexpected pings: ${JSON.stringify(kinds)} (wanted start, 0, start, 3)`);
    }
    out.ok(
      `check nightly-backup is ${check.status}: a failed run is noticed, and so is a missing one`,
    );
  },
};
