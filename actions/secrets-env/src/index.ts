import { run } from './main.ts';

const HELP = `berth secrets-env action: AWS Secrets Manager secrets and SSM parameters as masked job variables or outputs.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/secrets-env@v1) after AWS
credentials are configured; inputs come from INPUT_* variables.

Inputs: secret-ids, name-transform, override, export, on-conflict, expand-json
Outputs: variables (and one output per variable with export: outputs)

See actions/secrets-env/README.md for a complete workflow.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
