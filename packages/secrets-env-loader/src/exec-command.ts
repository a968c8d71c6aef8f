import { defineCommand, runChild } from '@berth/internal';
import { LOAD_OPTIONS, loadOptions } from './cli-options.ts';
import { loadSecrets } from './load-secrets.ts';
import { mergeEnv } from './merge-env.ts';
import { resolveCommand } from './resolve-command.ts';

/** `secrets-env exec`: runs a command with the secrets in its environment. */
export const execCommand = defineCommand({
  name: 'exec',
  summary: 'Run a command with the secrets as environment variables',
  usage:
    'exec --secret <id>[=<alias>]... [--override] [--pristine] [--name-transform upper|none] -- <command> [args...]',
  description: `Loads every secret first (all or nothing: if one fails, the command does not run), then
runs the command with the variables added to this environment. Variables already set are
kept (with a warning naming them) unless --override; --pristine gives the command only
the secrets' variables.

Exit code: the command's own; 128+n when it is killed by signal n (SIGINT, SIGTERM,
SIGHUP and SIGQUIT sent to secrets-env are forwarded to it); 127 when the command is not
found, 126 when it cannot be run; 1 when a secret cannot be loaded; 2 for usage errors.`,
  options: {
    ...LOAD_OPTIONS,
    override: { type: 'boolean', description: 'Replace variables that are already set' },
    pristine: {
      type: 'boolean',
      description: 'Give the command only the secrets, not this environment',
    },
  },
  passThrough: true,
  async run({ values, rest, io, log }) {
    const options = loadOptions(values, (m) => log.debug(m));
    const { vars, sources } = await loadSecrets(options);
    const { env, applied, kept } = mergeEnv(io.env, vars, {
      ...(values.override ? { override: true } : {}),
      ...(values.pristine ? { pristine: true } : {}),
    });
    for (const name of kept) {
      log.warn(
        `${name} is already set: kept it, not the value from secret "${sources[name]?.secretName}" (pass --override to replace it)`,
      );
    }
    log.debug(
      `running ${rest[0]} with ${applied.length} secret variable(s): ${applied.join(', ')}`,
    );
    const [command, ...args] = rest as [string, ...string[]];
    const result = await runChild(
      values.pristine ? resolveCommand(command, io.env.PATH) : command,
      args,
      { env },
    );
    if (result.spawnError) {
      log.error(
        result.exitCode === 127
          ? `command not found: ${command}`
          : `cannot run ${command}: ${result.spawnError.message}`,
      );
    } else if (result.signal) {
      log.debug(`${command} was killed by ${result.signal}`);
    }
    return result.exitCode;
  },
});
