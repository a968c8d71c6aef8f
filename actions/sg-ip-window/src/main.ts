import { FORWARDED_SIGNALS, quoteInput, runChild, signalExitCode } from '@berth/internal';
import { annotate, appendSummary, setOutput } from '@berth/internal/github-actions';
import {
  distinctOwner,
  openWindow,
  type SgIpWindowClients,
  type Window,
} from '@berth/sg-ip-window';
import { readInputs } from './inputs.ts';
import { saveWindowState } from './state.ts';

/** What {@link run} can be given instead of the real process, for tests. */
export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  clients?: SgIpWindowClients;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function summary(window: Window): string {
  const rows = window.rules.map(
    (r) =>
      `| ${r.groupId} | ${r.protocol}/${r.fromPort === r.toPort ? r.fromPort : `${r.fromPort}-${r.toPort}`} | \`${r.ruleId}\` | ${r.mode} |`,
  );
  return [
    `### Security group window for \`${window.cidr}\``,
    '',
    `Owner \`${window.owner}\`, expires ${window.expiresAt.toISOString()}${window.source ? `, address from ${window.source}` : ''}.`,
    '',
    '| group | port | rule | how |',
    '|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * The `main` step: opens the window and saves exactly its rules in the action state, so the
 * `post` step closes them even when the job fails or is cancelled. With `run`, runs the
 * command inside the window and closes it right after. Returns the exit code.
 */
export async function run(options: RunOptions = {}): Promise<number> {
  // A cancelled job sends SIGINT, then SIGTERM: without handlers Node would die mid-open,
  // after a rule is created but before it is saved for the post step.
  const cancel = new AbortController();
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    received ??= sig;
    cancel.abort(new Error(`received ${sig}`));
  };
  for (const sig of FORWARDED_SIGNALS) process.on(sig, onSignal);
  try {
    return await openAndRun(options, cancel.signal, () => received);
  } finally {
    for (const sig of FORWARDED_SIGNALS) process.off(sig, onSignal);
  }
}

async function openAndRun(
  options: RunOptions,
  cancelled: AbortSignal,
  received: () => NodeJS.Signals | undefined,
): Promise<number> {
  const env = options.env ?? process.env;
  let window: Window;
  let script: string;
  try {
    const inputs = readInputs(env);
    script = inputs.run;
    if (inputs.ipFamily !== '' && inputs.ipFamily !== '4' && inputs.ipFamily !== '6') {
      throw new Error(`input "ip-family" must be 4 or 6, got ${quoteInput(inputs.ipFamily)}`);
    }
    window = await openWindow({
      groupIds: inputs.groupIds,
      ports: inputs.ports,
      protocol: inputs.protocol as 'tcp',
      ip: inputs.ip,
      ttl: inputs.ttl,
      // One hold per step: another step of this job behind the same address (a second use of
      // this action, an `sg-ip-window exec`) must not revoke this step's rule when it closes.
      owner:
        inputs.owner || distinctOwner(`step/${env.GITHUB_ACTION || `pid-${process.pid}`}`, env),
      detect: {
        signal: cancelled,
        ...(inputs.ipSources.length > 0 ? { sources: inputs.ipSources } : {}),
        ...(inputs.ipFamily === '4' || inputs.ipFamily === '6'
          ? { family: Number(inputs.ipFamily) as 4 | 6 }
          : {}),
      },
      // A cancelled job also ends a call to AWS that hangs; what was opened is closed again.
      signal: cancelled,
      ...(options.clients ? { clients: options.clients } : {}),
      env,
    });
  } catch (error) {
    const sig = received();
    if (sig) {
      const rolledBack =
        (error as { code?: unknown }).code === 'E_INTERRUPTED'
          ? ` (${(error as Error).message})`
          : '';
      annotate(
        'error',
        `sg-ip-window: cancelled by ${sig} before the window was open${rolledBack}`,
      );
      return signalExitCode(sig);
    }
    annotate('error', `sg-ip-window: ${(error as Error).message}`);
    return 1;
  }
  const rules = window.rules
    .filter((r) => r.mode !== 'existing')
    .map((r) => ({ groupId: r.groupId, ruleId: r.ruleId }));
  // State first: if the job is cancelled from here on, post still knows what to close.
  saveWindowState({ owner: window.owner, rules, closed: false }, env);
  setOutput('ip', window.ip, env);
  setOutput('rule-ids', window.ruleIds.join(','), env);
  for (const r of window.rules) {
    log(
      `sg-ip-window: ${r.mode === 'existing' ? 'already open by a rule not managed here:' : r.mode} ${r.ruleId} in ${r.groupId} for ${r.cidr}`,
    );
  }
  appendSummary(summary(window), env);
  const early = received();
  if (script.trim() === '' && !early) return 0;

  const result = early
    ? { exitCode: signalExitCode(early) }
    : await runChild('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
        env,
      });
  if (early) annotate('error', `sg-ip-window: cancelled by ${early} while opening: closing again`);
  let closed = false;
  try {
    const outcome = await window.close();
    closed = true;
    log(
      `sg-ip-window: closed the window (${outcome.revoked.length} revoked, ${outcome.released.length} still held by others)`,
    );
  } catch (error) {
    annotate(
      'error',
      `sg-ip-window: closing after run failed, the post step retries: ${(error as Error).message}`,
    );
  }
  saveWindowState({ owner: window.owner, rules, closed }, env);
  if (result.exitCode !== 0) {
    if (!early) annotate('error', `sg-ip-window: the run command exited with ${result.exitCode}`);
    return result.exitCode;
  }
  return closed ? 0 : 1;
}
