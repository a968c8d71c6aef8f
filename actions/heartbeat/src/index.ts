import { run } from './main.ts';

const HELP = `berth heartbeat action: prove that scheduled workflows ran, with Healthchecks.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/heartbeat@v1); inputs come from
INPUT_* variables.

Modes: run (input command: run it under heartbeat run), start (ping start), finish (final
ping from input status, i.e. \${{ job.status }}), sync (make the project's checks match
input file, heartbeat.yml; the plan goes to the job summary).
Inputs: mode, command, status, ping-url, uuid, slug, ping-key, base-url, create, run-id, body,
  send-output, timeout, retries, budget, file, prune, dry-run, api-key, api-url,
  fail-on-ping-error
Outputs: ok, status, run-id, exit-code; sync: created, updated, deleted, unchanged, changed

See actions/heartbeat/README.md for a complete workflow.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
