import { readFile } from 'node:fs/promises';
import {
  HealthchecksApi,
  Pinger,
  type PingerOptions,
  type PingResult,
  parseHeartbeatFile,
  pingTargetSecrets,
  runJob,
  type SyncPlan,
  syncChecks,
} from '@berth/heartbeat-client';
import { parseDuration, quoteInput } from '@berth/internal';
import {
  addMask,
  annotate,
  appendSummary,
  exportVariable,
  getBooleanInput,
  getInput,
  setOutput,
} from '@berth/internal/github-actions';

/** Environment variable that carries the run id from the `start` step to the `finish` step. */
export const RUN_ID_VARIABLE = 'HEARTBEAT_RUN_ID';

type Mode = 'run' | 'start' | 'finish' | 'sync';

// The composite step passes input `ping-url` as INPUT_PING_URL: environment names with
// hyphens do not survive every shell.
function input(name: string, env: NodeJS.ProcessEnv): string {
  return getInput(name.replace(/-/g, '_'), { env });
}

function booleanInput(name: string, fallback: boolean, env: NodeJS.ProcessEnv): boolean {
  return getBooleanInput(name.replace(/-/g, '_'), fallback, env);
}

function readMode(env: NodeJS.ProcessEnv): Mode {
  const mode = input('mode', env);
  const command = input('command', env);
  if (mode === '') {
    if (command !== '') return 'run';
    throw new Error(
      'nothing to do: set input "command" (to run it), or "mode" to start, finish or sync',
    );
  }
  if (mode !== 'run' && mode !== 'start' && mode !== 'finish' && mode !== 'sync') {
    throw new Error(`input "mode" must be run, start, finish or sync, got ${quoteInput(mode)}`);
  }
  if (mode === 'run' && command === '') throw new Error('mode run needs input "command"');
  if (mode !== 'run' && command !== '') {
    throw new Error(`input "command" is only for mode run; mode ${mode} only pings`);
  }
  return mode;
}

function durationInput(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const text = input(name, env);
  if (text === '') return undefined;
  const ms = parseDuration(text, `input "${name}"`);
  if (ms <= 0) throw new Error(`input "${name}" must be more than 0`);
  return ms;
}

/** Pinger options from the inputs, falling back to HC_PING_URL / HC_PING_KEY / HC_BASE_URL. */
function pingerOptions(env: NodeJS.ProcessEnv, runId: string | undefined): PingerOptions {
  const value = (name: string) => input(name, env);
  const named = ['ping-url', 'uuid', 'slug'].filter((n) => value(n) !== '');
  if (named.length > 1) throw new Error(`give only one of the inputs ${named.join(', ')}`);
  const pingKey = value('ping-key') || env.HC_PING_KEY?.trim() || '';
  const baseUrl = value('base-url') || env.HC_BASE_URL?.trim() || '';
  const pingUrl = value('ping-url') || (named.length === 0 ? env.HC_PING_URL?.trim() || '' : '');
  const retriesText = value('retries');
  if (retriesText !== '' && (!/^\d+$/.test(retriesText) || Number(retriesText) > 10)) {
    throw new Error(
      `input "retries" must be a whole number from 0 to 10, got ${quoteInput(retriesText)}`,
    );
  }
  let target: PingerOptions;
  if (value('uuid')) target = { uuid: value('uuid') };
  else if (value('slug')) target = { slug: value('slug'), ...(pingKey ? { pingKey } : {}) };
  else if (pingUrl) target = { pingUrl };
  else {
    throw new Error(
      'no check to ping: set input "ping-url" (e.g. ${{ secrets.HC_PING_URL }}), "uuid", or "slug" with "ping-key"',
    );
  }
  // Masked before anything can fail, so no later message or command output shows them.
  for (const secret of [pingUrl, value('uuid'), pingKey]) if (secret) addMask(secret);
  for (const secret of pingTargetSecrets(target)) addMask(secret);
  const timeoutMs = durationInput('timeout', env);
  const budgetMs = durationInput('budget', env);
  return {
    ...target,
    ...(!('pingUrl' in target) && baseUrl ? { baseUrl } : {}),
    ...(booleanInput('create', false, env) ? { create: true } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(retriesText !== '' ? { retries: Number(retriesText) } : {}),
    ...(budgetMs !== undefined ? { budgetMs } : {}),
    ...(runId ? { runId } : {}),
    onWarning: (message) => annotate('warning', message),
  };
}

function runUrl(env: NodeJS.ProcessEnv): string {
  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  return `${server}/${env.GITHUB_REPOSITORY ?? ''}/actions/runs/${env.GITHUB_RUN_ID ?? ''}`;
}

function describeRun(env: NodeJS.ProcessEnv): string {
  const name = env.GITHUB_WORKFLOW ? `${env.GITHUB_WORKFLOW} ` : '';
  const number = env.GITHUB_RUN_NUMBER ? `#${env.GITHUB_RUN_NUMBER} ` : '';
  return `${name}${number}${runUrl(env)}`.trim();
}

function report(
  env: NodeJS.ProcessEnv,
  pinger: Pinger,
  results: PingResult[],
  extra: Record<string, string> = {},
): boolean {
  const ok = results.every((r) => r.ok);
  const last = results.at(-1) as PingResult;
  setOutput('ok', String(ok), env);
  setOutput('status', String(last.status), env);
  setOutput('run-id', pinger.runId ?? '', env);
  for (const [k, v] of Object.entries(extra)) setOutput(k, v, env);
  const lines = results.map((r) => {
    const kind = r.kind === 'exit-status' ? `exit status ${r.exitStatus}` : r.kind;
    const outcome = r.ok ? `HTTP ${r.status} ${r.text}` : (r.error ?? 'not ok');
    return { ok: r.ok, text: `${kind} ping to ${pinger.display}: ${outcome}` };
  });
  appendSummary(
    `**Heartbeat**\n\n${lines.map((l) => `- ${l.ok ? '✅' : '⚠️'} ${l.text}`).join('\n')}\n`,
    env,
  );
  for (const l of lines) process.stdout.write(`heartbeat: ${l.text}\n`);
  return ok;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The plan as a Markdown table for the job summary. */
export function planMarkdown(
  plan: SyncPlan,
  file: string,
  dryRun: boolean,
  applied: boolean,
): string {
  const c = plan.counts;
  const head = `**Heartbeat sync** of \`${cell(file)}\`${dryRun ? ' (dry run: nothing changed)' : applied ? '' : ''}: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged`;
  const show = (v: unknown) => (v === undefined ? '–' : v === '' ? '""' : `\`${cell(String(v))}\``);
  const rows = plan.steps.map((s) => {
    const changes =
      s.action === 'create'
        ? s.changes.map((ch) => `${ch.field} ${show(ch.to)}`).join('<br>')
        : s.changes.map((ch) => `${ch.field} ${show(ch.from)} → ${show(ch.to)}`).join('<br>');
    return `| ${s.action} | \`${cell(s.slug)}\` | ${changes || ''} |`;
  });
  const table =
    rows.length > 0 ? `\n\n| action | check | changes |\n|---|---|---|\n${rows.join('\n')}` : '';
  const strays =
    plan.strays.length > 0
      ? `\n\nKept (no longer in the file; \`prune: true\` deletes them): ${plan.strays.map((x) => `\`${cell(x)}\``).join(', ')}`
      : '';
  return `${head}${table}${strays}\n`;
}

async function runSync(env: NodeJS.ProcessEnv): Promise<number> {
  const apiKey = input('api-key', env) || env.HC_API_KEY?.trim() || '';
  if (apiKey) addMask(apiKey);
  if (!apiKey) {
    throw new Error(
      'mode sync needs the read-write API key: set input "api-key" (e.g. ${{ secrets.HC_API_KEY }}) or HC_API_KEY',
    );
  }
  const path = input('file', env) || 'heartbeat.yml';
  const dryRun = booleanInput('dry-run', false, env);
  const prune = booleanInput('prune', false, env);
  let source: string;
  try {
    source = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(
      `input "file": cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
    );
  }
  const file = parseHeartbeatFile(source, path);
  const apiUrl = input('api-url', env) || env.HC_API_URL?.trim() || '';
  const api = new HealthchecksApi({ apiKey, ...(apiUrl ? { apiUrl } : {}) });
  const { plan, applied } = await syncChecks(api, file, { prune, dryRun });
  const c = plan.counts;
  setOutput('created', String(c.create), env);
  setOutput('updated', String(c.update), env);
  setOutput('deleted', String(c.delete), env);
  setOutput('unchanged', String(c.unchanged), env);
  setOutput('changed', String(c.create + c.update + c.delete > 0), env);
  appendSummary(planMarkdown(plan, path, dryRun, applied), env);
  for (const s of plan.steps) {
    process.stdout.write(
      `heartbeat sync: ${s.action} ${s.slug}${s.changes.length && s.action === 'update' ? ` (${s.changes.map((ch) => ch.field).join(', ')})` : ''}\n`,
    );
  }
  process.stdout.write(
    `heartbeat sync: ${c.create} created, ${c.update} updated, ${c.delete} deleted, ${c.unchanged} unchanged${dryRun ? ' (dry run: nothing changed)' : ''}\n`,
  );
  return 0;
}

/**
 * The action: `run` runs `command` with bash under `heartbeat run` (start ping, output
 * tail, exit-status ping) and exits with its code; `start` pings start and hands the run id
 * to later steps (`HEARTBEAT_RUN_ID`); `finish` sends the final ping derived from `status`
 * (`${{ job.status }}`); `sync` makes the project's checks match a `heartbeat.yml`, with the
 * plan in the job summary. Outputs `ok`, `status`, `run-id` (and `exit-code` for run;
 * `created`, `updated`, `deleted`, `unchanged`, `changed` for sync). Ping problems are
 * warnings unless `fail-on-ping-error`. Resolves to the exit code.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    const mode = readMode(env);
    if (mode === 'sync') return await runSync(env);
    const strictPings = booleanInput('fail-on-ping-error', false, env);
    const body = input('body', env);

    if (mode === 'run') {
      const sendOutput = booleanInput('send-output', true, env);
      const options = pingerOptions(env, undefined);
      const pinger = new Pinger(options);
      const result = await runJob({
        pinger,
        command: 'bash',
        args: ['--noprofile', '--norc', '-eo', 'pipefail', '-c', input('command', env)],
        sendOutput,
        ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
        env,
      });
      const ok = report(env, pinger, [result.start, result.finish], {
        'exit-code': String(result.exitCode),
      });
      if (result.exitCode !== 0) {
        annotate('error', `the command failed with exit code ${result.exitCode}`);
        return result.exitCode;
      }
      return !ok && strictPings ? 1 : 0;
    }

    if (mode === 'start') {
      const pinger = new Pinger(pingerOptions(env, input('run-id', env) || undefined));
      const start = await pinger.start(body || `started: ${describeRun(env)}\n`);
      exportVariable(RUN_ID_VARIABLE, pinger.runId ?? '', env);
      const ok = report(env, pinger, [start]);
      return !ok && strictPings ? 1 : 0;
    }

    const status = input('status', env);
    if (status === '') {
      throw new Error(
        'mode finish needs input "status": pass ${{ job.status }} (in a step with if: always())',
      );
    }
    if (status !== 'success' && status !== 'failure' && status !== 'cancelled') {
      throw new Error(
        `input "status" must be success, failure or cancelled (job.status), got ${quoteInput(status)}`,
      );
    }
    const runId = input('run-id', env) || env[RUN_ID_VARIABLE]?.trim() || undefined;
    const pinger = new Pinger(pingerOptions(env, runId));
    const text = body || `job ${status}: ${describeRun(env)}\n`;
    const result = status === 'success' ? await pinger.success(text) : await pinger.fail(text);
    const ok = report(env, pinger, [result]);
    return !ok && strictPings ? 1 : 0;
  } catch (error) {
    annotate('error', error instanceof Error ? error.message : String(error));
    return 1;
  }
}
