import { defineCommand, quoteInput, UsageError } from '@berth/internal';
import type { PingBody } from '../body-fit.ts';
import type { PingResult } from '../pinger.ts';
import { PING_OPTIONS, pingerFromCli } from './ping-options.ts';
import { readFileOnUse } from './read-file.ts';

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `heartbeat ping`: sends one ping. */
export const pingCommand = defineCommand({
  name: 'ping',
  summary: 'Send one ping: start, success, fail, log, or an exit status 0-255',
  usage:
    'ping start|success|fail|log|<0-255> [--ping-url URL | --uuid U | --slug S] [--body TEXT | --body-file F] [--rid UUID] [--json]',
  description: `"start" prints the run id it sent; pass it to the final ping with --rid so the server
shows the run's duration. --body-file - reads the body from stdin; long bodies are cut to
their tail to fit the server's limit (a one-shot ping has not seen the server's
Ping-Body-Limit: give --body-limit, as self-hosted servers keep only 10000 bytes by default). Exit 0 when the ping was accepted, 1 when it was not
(after the retries; the reason is on stderr).`,
  options: {
    ...PING_OPTIONS,
    body: {
      type: 'string',
      valueName: '<text>',
      description: 'Body of the ping (a log line, output)',
    },
    'body-file': {
      type: 'string',
      valueName: '<file>',
      description: 'Read the body from a file (- for stdin)',
    },
    rid: {
      type: 'string',
      valueName: '<uuid>',
      description: 'Run id (from `heartbeat ping start`)',
    },
  },
  json: true,
  positionals: { min: 1, max: 1, names: 'the ping kind (start, success, fail, log or 0-255)' },
  async run({ values, positionals, io, log, json, print, printJson, signal }) {
    const kind = positionals[0] as string;
    if (
      !/^(start|success|fail|log|\d{1,3})$/.test(kind) ||
      (/^\d+$/.test(kind) && Number(kind) > 255)
    ) {
      throw new UsageError(
        `${quoteInput(kind)} is not a ping kind: use start, success, fail, log or an exit status 0-255`,
      );
    }
    if (values.body !== undefined && values['body-file'] !== undefined) {
      throw new UsageError('give --body or --body-file, not both');
    }
    const pinger = pingerFromCli(values, io.env, log, {
      ...(values.rid !== undefined ? { runId: values.rid } : {}),
      signal,
    });
    let body: PingBody | undefined = values.body;
    const file = values['body-file'];
    if (file !== undefined) {
      try {
        body = file === '-' ? await readStdin() : await readFileOnUse(file);
      } catch (error) {
        throw new UsageError(
          `--body-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
        );
      }
    }
    if (kind === 'log' && body === undefined)
      log.warn('a log ping without --body records an empty entry');
    let result: PingResult;
    if (kind === 'start') result = await pinger.start(body);
    else if (kind === 'success') result = await pinger.success(body);
    else if (kind === 'fail') result = await pinger.fail(body);
    else if (kind === 'log') result = await pinger.log(body ?? '');
    else result = await pinger.exitStatus(Number(kind), body);
    if (json) printJson(result);
    else if (kind === 'start' && result.runId) print(result.runId);
    if (result.ok)
      log.debug(`${kind}: ${result.status} ${result.text} (${result.attempts} attempt(s))`);
    return result.ok ? 0 : 1;
  },
});
