import { annotate } from '@berth/internal/github-actions';
import { closeRules, type SgIpWindowClients } from '@berth/sg-ip-window';
import { readWindowState } from './state.ts';

/** What {@link runPost} can be given instead of the real process, for tests. */
export interface RunPostOptions {
  env?: NodeJS.ProcessEnv;
  clients?: SgIpWindowClients;
}

/**
 * The `post` step (runs always, including on failure and cancellation): closes exactly the
 * rules `main` saved, releasing this job's hold; rules other holders still need stay.
 * Returns the exit code.
 */
export async function runPost(options: RunPostOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const state = readWindowState(env);
  if (!state || state.rules.length === 0) {
    process.stdout.write('sg-ip-window: no window was opened; nothing to close\n');
    return 0;
  }
  if (state.closed) {
    process.stdout.write('sg-ip-window: the window was closed after run; nothing to close\n');
    return 0;
  }
  try {
    const result = await closeRules({
      rules: state.rules,
      owner: state.owner,
      env,
      ...(options.clients ? { clients: options.clients } : {}),
    });
    for (const r of result.revoked)
      process.stdout.write(`sg-ip-window: closed ${r.ruleId} in ${r.groupId}\n`);
    for (const r of result.released) {
      process.stdout.write(
        `sg-ip-window: released ${r.ruleId} in ${r.groupId}, still held by ${r.heldBy.join(', ')}\n`,
      );
    }
    for (const r of result.alreadyClosed)
      process.stdout.write(`sg-ip-window: ${r.ruleId} was already closed\n`);
    return 0;
  } catch (error) {
    annotate('error', `sg-ip-window: ${(error as Error).message}`);
    return 1;
  }
}
