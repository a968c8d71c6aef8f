import { defineCommand, safeLine, UsageError } from '@berth/internal';
import { toDotenv, writeDotenvFile } from '../dotenv.ts';
import { loadSecrets } from '../load-secrets.ts';
import { whyNotWritable } from '../writable-file.ts';
import { LOAD_OPTIONS, loadOptions } from './cli-options.ts';

/** `secrets-env dotenv`: writes the secrets as a `.env` file. */
export const dotenvCommand = defineCommand({
  name: 'dotenv',
  summary: 'Write the secrets as a .env file (to stdout, or --out FILE with mode 0600)',
  usage: 'dotenv --secret <id>[=<alias>]... [--out FILE] [--name-transform upper|none]',
  description: `Values are quoted so the dotenv package reads back exactly the same text (newlines,
quotes, #, $, backslashes, unicode). --out writes atomically (a temporary file renamed
over FILE) with mode 0600; nothing is written if any secret fails. Without --out the
file goes to stdout: this command prints secret values on purpose.`,
  options: {
    ...LOAD_OPTIONS,
    out: {
      type: 'string',
      short: 'o',
      valueName: '<file>',
      description: 'Write to FILE (mode 0600) instead of stdout',
    },
  },
  json: true,
  async run({ values, io, log, json, printJson, signal }) {
    if (json && !values.out) {
      throw new UsageError('--json describes the file written with --out; use it with --out');
    }
    const options = loadOptions(values, (m) => log.debug(m), signal);
    if (values.out) {
      // Checked before AWS: a path that cannot be written fails fast and changes nothing.
      const why = await whyNotWritable(values.out);
      if (why) throw new UsageError(`--out ${safeLine(values.out)} cannot be written: ${why}`);
    }
    const { vars } = await loadSecrets(options);
    const names = Object.keys(vars);
    if (!values.out) {
      io.stdout.write(toDotenv(vars));
      return 0;
    }
    await writeDotenvFile(values.out, vars);
    if (json) printJson({ file: values.out, variables: names });
    else log.info(`wrote ${names.length} variable(s) to ${safeLine(values.out)}`);
    return 0;
  },
});
