import { defineCommand, UsageError } from '@berth/internal';
import { runJob } from '../run-job.ts';
import { budgetOf, PING_OPTIONS, pingerFromCli, positiveDuration } from './ping-options.ts';

/** `heartbeat run`: monitors one run of a command. */
export const runCommand = defineCommand({
  name: 'run',
  summary: 'Run a command and report its start, exit status and output tail',
  usage:
    'run [--ping-url URL | --uuid U | --slug S --ping-key K] [--base-url URL] [--create] [--timeout 10s] [--retries 3] [--no-output] [--max-runtime 30m [--kill-after 10s]] -- <command> [args...]',
  description: `Sends "start" (with a new run id) as the command starts, passes its stdio through while
keeping the tail of stdout+stderr, then sends the exit status with that tail (fitted to the
server's Ping-Body-Limit). Exits with the command's own code: killed by signal n -> 128+n,
command not found -> 127. Ping problems are warnings on stderr: they never change the exit
code, and heartbeat adds at most --budget to the command's run time.

The command runs in its own process group; signals are forwarded to the whole group. The job
is over when the command exits (background processes it left keep running, and no longer
hold heartbeat up). With --max-runtime, a job running longer gets SIGTERM (its whole process
group), then SIGKILL after --kill-after (default 10s); it is reported as failed, with its
output tail and a line saying it timed out, and heartbeat exits 124 (as timeout(1) does).`,
  options: {
    ...PING_OPTIONS,
    'no-output': { type: 'boolean', description: "Do not capture or send the command's output" },
    'max-runtime': {
      type: 'string',
      valueName: '<duration>',
      description: 'End the job (SIGTERM, then SIGKILL) when it runs longer; exit 124',
    },
    'kill-after': {
      type: 'string',
      valueName: '<duration>',
      description: 'With --max-runtime: time from SIGTERM to SIGKILL (default 10s)',
    },
  },
  passThrough: true,
  async run({ values, rest, io, log, clock }) {
    const maxRuntimeMs =
      values['max-runtime'] === undefined
        ? undefined
        : positiveDuration(values['max-runtime'], '--max-runtime');
    if (values['kill-after'] !== undefined && maxRuntimeMs === undefined) {
      throw new UsageError('--kill-after applies to --max-runtime; add --max-runtime');
    }
    const killAfterMs =
      values['kill-after'] === undefined
        ? undefined
        : positiveDuration(values['kill-after'], '--kill-after');
    const pinger = pingerFromCli(values, io.env, log);
    const [command, ...args] = rest as [string, ...string[]];
    log.debug(`pinging ${pinger.display}`);
    const result = await runJob({
      pinger,
      command,
      args,
      sendOutput: !values['no-output'],
      budgetMs: budgetOf(values),
      env: io.env,
      stdout: io.stdout,
      stderr: io.stderr,
      ...(maxRuntimeMs !== undefined ? { maxRuntimeMs } : {}),
      ...(killAfterMs !== undefined ? { killAfterMs } : {}),
      clock,
    });
    if (result.spawnFailure) log.error(`${command}: ${result.spawnFailure}`);
    if (result.timedOut) {
      log.error(
        `${command}: timed out after ${values['max-runtime']} (--max-runtime); its process group was ended`,
      );
    }
    if (result.finish.ok)
      log.debug(`reported exit status ${result.exitCode} (run ${pinger.runId})`);
    return result.exitCode;
  },
});
