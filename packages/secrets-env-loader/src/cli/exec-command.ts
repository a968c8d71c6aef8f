import { defineCommand, quoteInput, runChild, safeLine } from '@berth/internal';
import { loadSecretsWithValues } from '../load-secrets.ts';
import { maskingStream } from '../mask-stream.ts';
import { maskValues } from '../mask-values.ts';
import { mergeEnv } from '../merge-env.ts';
import { LOAD_OPTIONS, loadOptions } from './cli-options.ts';
import { resolveCommand } from './resolve-command.ts';

/** `secrets-env exec`: runs a command with the secrets in its environment. */
export const execCommand = defineCommand({
  name: 'exec',
  summary: 'Run a command with the secrets as environment variables',
  usage:
    'exec --secret <id>[=<alias>]... [--override] [--pristine] [--mask-output] [--expand-json] -- <command> [args...]',
  description: `Loads every secret first (all or nothing: if one fails, the command does not run), then
runs the command with the variables added to this environment. Variables already set are
kept (with a warning naming them) unless --override; --pristine gives the command only
the secrets' variables.

Exit code: the command's own; 128+n when it is killed by signal n (SIGINT, SIGTERM,
SIGHUP and SIGQUIT sent to secrets-env are forwarded to it); 127 when the command is not
found, 126 when it cannot be run; 1 when a secret cannot be loaded; 2 for usage errors.

--mask-output passes the command's stdout and stderr through a filter that writes *** in
place of every loaded value (and of each value of 4 characters or more of an expanded
JSON secret), also when a value is split across two writes. The command then writes to a
pipe, not to your terminal (programs may stop colouring or buffer differently), so it is
off by default.`,
  options: {
    ...LOAD_OPTIONS,
    override: { type: 'boolean', description: 'Replace variables that are already set' },
    pristine: {
      type: 'boolean',
      description: 'Give the command only the secrets, not this environment',
    },
    'mask-output': {
      type: 'boolean',
      description: "Replace loaded values in the command's stdout and stderr with ***",
    },
  },
  passThrough: true,
  async run({ values, rest, io, log, signal }) {
    const options = loadOptions(values, (m) => log.debug(m), signal);
    const loaded = await loadSecretsWithValues(options);
    const { vars, sources } = loaded;
    const { env, applied, kept } = mergeEnv(io.env, vars, {
      ...(values.override ? { override: true } : {}),
      ...(values.pristine ? { pristine: true } : {}),
    });
    for (const name of kept) {
      log.warn(
        `${name} is already set: kept it, not the value from ${sources[name]?.store === 'ssm' ? 'parameter' : 'secret'} ${quoteInput(sources[name]?.secretName ?? '', 200)} (pass --override to replace it)`,
      );
    }
    log.debug(
      `running ${rest[0]} with ${applied.length} secret variable(s): ${applied.join(', ')}`,
    );
    // A signal that came as the load finished: do not start the command.
    signal.throwIfAborted();
    const [command, ...args] = rest as [string, ...string[]];
    const file = values.pristine ? resolveCommand(command, io.env.PATH) : command;
    let result: Awaited<ReturnType<typeof runChild>>;
    if (values['mask-output']) {
      const masked = maskValues(loaded);
      log.debug(`masking ${masked.length} value(s) in the output of ${command}`);
      const stdout = maskingStream(io.stdout, masked);
      const stderr = maskingStream(io.stderr, masked);
      result = await runChild(file, args, { env, output: 'tee', tailBytes: 0, stdout, stderr });
      await Promise.all([stdout, stderr].map((s) => new Promise<void>((r) => s.end(r))));
    } else {
      result = await runChild(file, args, { env });
    }
    if (result.spawnError) {
      log.error(
        result.exitCode === 127
          ? `command not found: ${safeLine(command)}`
          : `cannot run ${safeLine(command)}: ${safeLine(result.spawnError.message)}`,
      );
    } else if (result.signal) {
      log.debug(`${command} was killed by ${result.signal}`);
    }
    return result.exitCode;
  },
});
