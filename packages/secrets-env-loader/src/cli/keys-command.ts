import { defineCommand, safeLine } from '@berth/internal';
import { loadSecrets } from '../load-secrets.ts';
import { LOAD_OPTIONS, loadOptions } from './cli-options.ts';

/** `secrets-env keys`: the variable names and where they come from, never the values. */
export const keysCommand = defineCommand({
  name: 'keys',
  summary: 'List the variable names the secrets give and their sources (no values)',
  usage: 'keys --secret <id>[=<alias>]... [--json]',
  options: LOAD_OPTIONS,
  json: true,
  async run({ values, log, json, print, printJson, signal }) {
    const { vars, sources } = await loadSecrets(loadOptions(values, (m) => log.debug(m), signal));
    const rows = Object.keys(vars).map((name) => ({ name, ...sources[name] }));
    if (json) {
      printJson({ variables: rows });
      return 0;
    }
    const width = Math.max(...rows.map((r) => r.name.length));
    for (const r of rows) {
      // Key names come from the secret's JSON: escaped, so no key can start a line of its own.
      const key = r.jsonPath ? `  key ${safeLine(r.jsonPath.join('.'))}` : '';
      const from = r.store === 'ssm' ? `ssm:${r.secretName}` : r.secretName;
      print(`${r.name.padEnd(width)}  ${safeLine(from ?? '')}${key}`);
    }
    return 0;
  },
});
