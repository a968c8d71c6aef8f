import { defineCommand } from '@berth/internal';
import { parse } from '../parse.ts';
import { precisionOption, tzOption } from './shared-options.ts';

/** `semver-timestamp parse <version>`: prints the instant a version stands for. */
export const parseCommand = defineCommand({
  name: 'parse',
  summary: 'Print the instant a timestamp version stands for (ISO-8601, UTC)',
  usage: 'parse <version> [--tz <zone>] [--precision second|minute] [--json]',
  description: `Accepts the SemVer form and the Docker tag form. Give the --tz and --precision the
version was made with: it is read at second precision unless --precision minute.
Exit codes: 0 ok, 2 not a timestamp version of that precision, or bad input.`,
  json: true,
  positionals: { min: 1, max: 1, names: '<version>' },
  options: { tz: tzOption, precision: precisionOption },
  run({ positionals, values, json, print, printJson }) {
    const parsed = parse(positionals[0] as string, {
      precision: values.precision,
      ...(values.tz !== undefined ? { timeZone: values.tz } : {}),
    });
    if (json) {
      printJson(parsed); // the Date prints as its ISO string
    } else {
      print(parsed.date.toISOString());
    }
    return 0;
  },
});
