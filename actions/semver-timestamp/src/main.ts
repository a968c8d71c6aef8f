import { quoteInput } from '@berth/internal';
import { annotate, appendSummary, getInput, info, setOutput } from '@berth/internal/github-actions';
import {
  type Precision,
  type TimestampVersionOptions,
  timestampVersion,
  writeVersionFile,
} from '@berth/semver-timestamp';

function readOptions(env: NodeJS.ProcessEnv): {
  options: TimestampVersionOptions;
  format: string;
  write: string;
} {
  const input = (name: string) => getInput(name, { env });
  const options: TimestampVersionOptions = {};
  // Empty inputs mean "not given", as the runner passes every declared input.
  if (input('date')) options.date = input('date');
  if (input('tz')) options.timeZone = input('tz');
  if (input('precision')) options.precision = input('precision') as Precision;
  if (input('prerelease')) options.prerelease = input('prerelease');
  if (input('build')) options.build = input('build');
  if (input('after')) options.after = input('after');
  const format = input('format') || 'semver';
  if (format !== 'semver' && format !== 'docker') {
    throw new Error(`input "format" must be semver or docker, got ${quoteInput(format)}`);
  }
  return { options, format, write: input('write') };
}

/**
 * The action: makes the version with `@berth/semver-timestamp`, sets the outputs `version`,
 * `docker-tag` and `date`, writes the `write` file, and adds a line to the job summary.
 * Resolves to the exit code; a failure is one `::error::` annotation and exit code 1.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const { options, format, write } = readOptions(env);
    const result = timestampVersion(options);
    if (write)
      await writeVersionFile(write, format === 'docker' ? result.dockerTag : result.version);
    setOutput('version', result.version, env);
    setOutput('docker-tag', result.dockerTag, env);
    setOutput('date', result.date.toISOString(), env);
    info(
      `version ${result.version}, Docker tag ${result.dockerTag} (${result.date.toISOString()}, ${result.timeZone})`,
    );
    appendSummary(
      `**Version** \`${result.version}\` · Docker tag \`${result.dockerTag}\` · ${result.date.toISOString()} (${result.timeZone}, ${result.precision} precision)`,
      env,
    );
    return 0;
  } catch (error) {
    annotate('error', error instanceof Error ? error.message : String(error));
    return 1;
  }
}
