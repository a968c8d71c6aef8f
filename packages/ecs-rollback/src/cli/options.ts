import { type OptionSpecs, parseDuration, UsageError } from '@berth/internal';
import type { WatchEvent } from '../watch.ts';

/** Options every command has: where the service is. */
export const SERVICE_OPTIONS = {
  cluster: {
    type: 'string',
    description: 'ECS cluster name or ARN (required)',
    valueName: '<cluster>',
  },
  service: {
    type: 'string',
    description: 'ECS service name or ARN (required)',
    valueName: '<service>',
  },
  region: { type: 'string', description: 'AWS region (default AWS_REGION)', valueName: '<region>' },
} as const satisfies OptionSpecs;

/** Options of the commands that wait for a deployment. */
export const WAIT_OPTIONS = {
  timeout: {
    type: 'string',
    description: 'How long to wait for the deployment (default 15m)',
    valueName: '<duration>',
  },
  poll: { type: 'string', description: 'Time between polls (default 5s)', valueName: '<duration>' },
  'failed-tasks': {
    type: 'string',
    description: 'Failed tasks of the deployment before it counts as failed (default 1)',
    valueName: '<n>',
  },
} as const satisfies OptionSpecs;

/** Cluster, service and region from the parsed values; usage error when one is missing. */
export function serviceArgs(values: { cluster?: string; service?: string; region?: string }): {
  cluster: string;
  service: string;
  region?: string;
} {
  if (!values.cluster) throw new UsageError('--cluster is required (the ECS cluster name or ARN)');
  if (!values.service) throw new UsageError('--service is required (the ECS service name or ARN)');
  return {
    cluster: values.cluster,
    service: values.service,
    ...(values.region ? { region: values.region } : {}),
  };
}

/** Wait settings from the parsed values. */
export function waitArgs(values: { timeout?: string; poll?: string; 'failed-tasks'?: string }): {
  timeoutMs: number;
  pollMs?: number;
  failedTaskThreshold?: number;
} {
  const timeoutMs = parseDuration(values.timeout ?? '15m', '--timeout');
  if (timeoutMs <= 0) throw new UsageError('--timeout must be longer than 0');
  const out: { timeoutMs: number; pollMs?: number; failedTaskThreshold?: number } = { timeoutMs };
  if (values.poll !== undefined) {
    out.pollMs = parseDuration(values.poll, '--poll');
    if (out.pollMs <= 0) throw new UsageError('--poll must be longer than 0');
  }
  if (values['failed-tasks'] !== undefined)
    out.failedTaskThreshold = positiveInt(values['failed-tasks'], '--failed-tasks');
  return out;
}

/** A positive integer option. */
export function positiveInt(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`${what} must be a positive whole number, got "${text}"`);
  }
  return Number(text);
}

/** Writes watch progress to the log, one line per event. */
export function logEvent(log: { info(m: string): void }): (event: WatchEvent) => void {
  return (event) => {
    const prefix =
      event.kind === 'service-event' ? 'ECS: ' : event.kind === 'task-stopped' ? 'task: ' : '';
    log.info(`${prefix}${event.message}`);
  };
}
