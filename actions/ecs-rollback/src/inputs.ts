import { parseDuration, quoteInput } from '@berth/internal';
import { getInput } from '@berth/internal/github-actions';

/** The action's inputs, read and checked. */
export interface ActionInputs {
  mode: 'rollback' | 'watch';
  cluster: string;
  service: string;
  region?: string;
  to?: string;
  container?: string;
  register: boolean;
  noWait: boolean;
  timeoutMs: number;
  pollMs?: number;
  failedTaskThreshold?: number;
  deregisterFailed: boolean;
  dryRun: boolean;
  rollbackOnFailure: boolean;
  searchLimit?: number;
  skipImageCheck: boolean;
  allowOtherFamily: boolean;
}

/** Reads the `INPUT_*` variables; throws an Error naming the input when one is wrong. */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  // action.yml passes `no-wait` as INPUT_NO_WAIT: names that are valid shell variables.
  const input = (name: string) => getInput(name.replace(/-/g, '_'), { env });
  const flag = (name: string) => {
    const raw = input(name);
    if (raw === '') return false;
    if (/^(true|True|TRUE)$/.test(raw)) return true;
    if (/^(false|False|FALSE)$/.test(raw)) return false;
    throw new Error(`input "${name}" must be true or false, got ${quoteInput(raw)}`);
  };
  const mode = input('mode') || 'rollback';
  if (mode !== 'rollback' && mode !== 'watch') {
    throw new Error(`input "mode" must be rollback or watch, got ${quoteInput(mode)}`);
  }
  const cluster = input('cluster');
  const service = input('service');
  if (!cluster) throw new Error('input "cluster" is required: the ECS cluster name or ARN');
  if (!service) throw new Error('input "service" is required: the ECS service name or ARN');
  const duration = (name: string) => parseDuration(input(name), `input "${name}"`);
  const count = (name: string) => {
    const raw = input(name);
    if (!/^\d+$/.test(raw) || Number(raw) < 1) {
      throw new Error(`input "${name}" must be a positive whole number, got ${quoteInput(raw)}`);
    }
    return Number(raw);
  };
  const out: ActionInputs = {
    mode,
    cluster,
    service,
    register: flag('register'),
    noWait: flag('no-wait'),
    timeoutMs: input('timeout') ? duration('timeout') : 15 * 60_000,
    deregisterFailed: flag('deregister-failed'),
    dryRun: flag('dry-run'),
    rollbackOnFailure: flag('rollback-on-failure'),
    skipImageCheck: flag('skip-image-check'),
    allowOtherFamily: flag('allow-other-family'),
  };
  if (input('region')) out.region = input('region');
  if (input('to')) out.to = input('to');
  if (input('container')) out.container = input('container');
  if (input('poll')) out.pollMs = duration('poll');
  if (input('failed-tasks')) out.failedTaskThreshold = count('failed-tasks');
  if (input('search-limit')) out.searchLimit = count('search-limit');
  return out;
}
