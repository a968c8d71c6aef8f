import { defineCommand } from '@berth/internal';
import { timestampVersion } from '../timestamp-version.ts';
import { writeVersionFile } from '../version-file.ts';
import { precisionOption, tzOption } from './shared-options.ts';

/** `semver-timestamp [generate]`: prints (and writes) a version made from the time. */
export const generateCommand = defineCommand({
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
    tz: tzOption,
    precision: precisionOption,
    prerelease: { type: 'string', valueName: '<id>', description: 'Prerelease, e.g. rc.1' },
    build: {
      type: 'string',
      valueName: '<metadata>',
      description: 'Build metadata, e.g. sha.5114f85 (written _sha.5114f85 in a Docker tag)',
    },
    format: {
      type: 'string',
      choices: ['semver', 'docker'],
      default: 'semver',
      description: 'What to print and write: the SemVer version or the image tag',
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
  async run({ values, json, clock, print, printJson }) {
    const result = timestampVersion({
      clock,
      precision: values.precision,
      ...(values.date !== undefined ? { date: values.date } : {}),
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
      ...(values.prerelease !== undefined ? { prerelease: values.prerelease } : {}),
      ...(values.build !== undefined ? { build: values.build } : {}),
      ...(values.after !== undefined ? { after: values.after } : {}),
    });
    const text = values.format === 'docker' ? result.dockerTag : result.version;
    if (values.write !== undefined) await writeVersionFile(values.write, text);
    if (json) {
      printJson(result); // the Date prints as its ISO string
    } else {
      print(text);
    }
    return 0;
  },
});
