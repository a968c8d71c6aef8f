import { defineCommand } from '@berth/internal';
import { runJob } from '../run-job.ts';
import { budgetOf, PING_OPTIONS, pingerFromCli } from './ping-options.ts';

/** `heartbeat run`: monitors one run of a command. */
export const runCommand = defineCommand({
  name: 'run',
  summary: 'Run a command and report its start, exit status and output tail',
  usage:
    'run [--ping-url URL | --uuid U | --slug S --ping-key K] [--base-url URL] [--create] [--timeout 10s] [--retries 3] [--no-output] -- <command> [args...]',
  description: `Sends "start" (with a new run id) as the command starts, passes its stdio through while
keeping the tail of stdout+stderr, then sends the exit status with that tail (fitted to the
server's Ping-Body-Limit). Exits with the command's own code: killed by signal n -> 128+n,
command not found -> 127. Ping problems are warnings on stderr: they never change the exit
code, and heartbeat adds at most --budget to the command's run time.`,
  options: {
    ...PING_OPTIONS,
    'no-output': { type: 'boolean', description: "Do not capture or send the command's output" },
  },
  passThrough: true,
  async run({ values, rest, io, log }) {
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
    });
    if (result.spawnFailure) log.error(`${command}: ${result.spawnFailure}`);
    if (result.finish.ok)
      log.debug(`reported exit status ${result.exitCode} (run ${pinger.runId})`);
    return result.exitCode;
  },
});
