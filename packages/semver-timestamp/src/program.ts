import { defineCommand, type ProgramSpec, UsageError } from '@berth/internal';
import pkg from '../package.json' with { type: 'json' };
import { parse } from './parse.ts';
import { checkPrecision } from './timestamp-core.ts';
import { timestampVersion } from './timestamp-version.ts';
import { writeVersionFile } from './version-file.ts';

const tz = {
  type: 'string',
  valueName: '<zone>',
  description: 'IANA time zone of the wall clock, e.g. Asia/Tokyo (default UTC)',
} as const;

const generate = defineCommand({
  name: 'generate',
  summary: 'Print a version made from the time: valid SemVer, in time order',
  usage:
    '[--date <ISO-8601>] [--tz <zone>] [--precision second|minute] [--prerelease <id>] [--build <metadata>] [--format semver|docker] [--after <version>] [--write <file>] [--json]',
  description: `Prints YYYY.MMDD.HHMMSS (no leading zeros), e.g. 2026.105.90307 for 2026-01-05T09:03:07Z.
Refuses a local time that daylight saving repeats or skips: versions would go backwards.
Exit codes: 0 ok, 1 refused (the current time repeats in --tz) or --write failed, 2 bad input.`,
  json: true,
  options: {
    date: {
      type: 'string',
      valueName: '<ISO-8601>',
      description: 'Time to use (default now); without an offset it is local time in --tz',
    },
    tz,
    precision: {
      type: 'string',
      valueName: 'second|minute',
      description: 'second: YYYY.MMDD.HHMMSS (default); minute: YYYY.MMDD.HHMM',
    },
    prerelease: { type: 'string', valueName: '<id>', description: 'Prerelease, e.g. rc.1' },
    build: {
      type: 'string',
      valueName: '<metadata>',
      description: 'Build metadata, e.g. sha.5114f85 (written _sha.5114f85 in a Docker tag)',
    },
    format: {
      type: 'string',
      valueName: 'semver|docker',
      description: 'What to print and write: the SemVer version (default) or the image tag',
    },
    after: {
      type: 'string',
      valueName: '<version>',
      description: 'Make the version strictly greater than this one (e.g. the last release)',
    },
    write: {
      type: 'string',
      valueName: '<file>',
      description: 'Also write the version and a newline to this file, atomically',
    },
  },
  async run({ values, json, print, printJson }) {
    const format = values.format ?? 'semver';
    if (format !== 'semver' && format !== 'docker') {
      throw new UsageError(`--format "${format}" is not supported; use semver or docker`);
    }
    const result = timestampVersion({
      ...(values.date !== undefined ? { date: values.date } : {}),
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
      ...(values.precision !== undefined ? { precision: checkPrecision(values.precision) } : {}),
      ...(values.prerelease !== undefined ? { prerelease: values.prerelease } : {}),
      ...(values.build !== undefined ? { build: values.build } : {}),
      ...(values.after !== undefined ? { after: values.after } : {}),
    });
    const text = format === 'docker' ? result.dockerTag : result.version;
    if (values.write !== undefined) await writeVersionFile(values.write, text);
    if (json) {
      const { version, dockerTag, date, timeZone, precision } = result;
      printJson({ version, dockerTag, date, timeZone, precision });
    } else {
      print(text);
    }
    return 0;
  },
});

const parseCommand = defineCommand({
  name: 'parse',
  summary: 'Print the instant a timestamp version stands for (ISO-8601, UTC)',
  usage: 'parse <version> [--tz <zone>] [--precision second|minute] [--json]',
  description: `Accepts the SemVer form and the Docker tag form. Give --tz and --precision the version
was made with: minute versions (and second versions before 00:24) read both ways.
Exit codes: 0 ok, 2 not a timestamp version or bad input.`,
  json: true,
  positionals: { min: 1, max: 1, names: '<version>' },
  options: {
    tz,
    precision: {
      type: 'string',
      valueName: 'second|minute',
      description: 'Precision the version was made with (default: read from the version)',
    },
  },
  run({ positionals, values, json, print, printJson }) {
    const parsed = parse(positionals[0] as string, {
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
      ...(values.precision !== undefined ? { precision: checkPrecision(values.precision) } : {}),
    });
    if (json) printJson(parsed);
    else print(parsed.date.toISOString());
    return 0;
  },
});

/** The `semver-timestamp` CLI: `generate` (the default command) and `parse`. */
export const program: ProgramSpec = {
  name: 'semver-timestamp',
  version: pkg.version,
  summary: 'versions from a timestamp: valid SemVer in time order, and Docker tags',
  commands: [generate, parseCommand],
  defaultCommand: 'generate',
};
