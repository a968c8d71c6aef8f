import { run } from './main.ts';

const HELP = `berth sg-ip-window action: open a security group for this runner's IP, closed in post.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/sg-ip-window@v1); inputs come
from INPUT_* variables.

Inputs: group-ids, port, protocol, ip, ttl, run, owner, ip-family, ip-sources
Outputs: ip, rule-ids

See actions/sg-ip-window/README.md for a complete workflow.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
