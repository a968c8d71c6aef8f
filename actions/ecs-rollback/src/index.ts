import { run } from './main.ts';

const HELP = `berth ecs-rollback action: roll an ECS service back to the last good version or an image
tag, or watch a deployment and roll back when it fails.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/ecs-rollback@v1); inputs come
from INPUT_* variables.

Inputs: mode (rollback | watch), cluster, service, region, to, container, register, no-wait,
timeout, poll, failed-tasks, deregister-failed, dry-run, rollback-on-failure, search-limit,
skip-image-check, allow-other-family
Outputs: task-definition-arn, status, reason, from-task-definition-arn, registered, cause,
remedy, method, rollback-status

See actions/ecs-rollback/README.md for complete workflows.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
