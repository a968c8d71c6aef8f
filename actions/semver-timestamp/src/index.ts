import { run } from './main.ts';

const HELP = `berth semver-timestamp action: a build version from the time, valid SemVer in time order.

Runs inside a GitHub Actions job (uses: <org>/berth/actions/semver-timestamp@v1); inputs come
from INPUT_* variables.

Inputs: date, tz, precision, prerelease, build, format, after, write
Outputs: version, docker-tag, date

See actions/semver-timestamp/README.md for a complete workflow.
`;

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  process.stdout.write(HELP);
} else {
  process.exitCode = await run();
}
