import { run } from './main.ts';

const HELP = `berth preview-env action: a preview environment on AWS ECS per pull request.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/preview-env@v1); inputs come from
INPUT_* variables, the event from GITHUB_EVENT_NAME and GITHUB_EVENT_PATH.

Inputs: mode (auto|create|delete|sweep|ls|sleep|wake), config, image, name, env, secrets-from, wait,
        github-token, comment, deployment
Outputs: url, name, service-arn, task-definition-arn, operation, environments

See actions/preview-env/README.md for workflows, permissions and IAM.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
