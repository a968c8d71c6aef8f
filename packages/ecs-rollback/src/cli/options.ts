import {
  type OptionSpecs,
  type OptionValues,
  parseDurationOption,
  parseIntegerOption,
} from '@berth/internal';
import type { WatchEvent } from '../watch.ts';

/** Options every command has: where the service is. */
export const SERVICE_OPTIONS = {
  cluster: {
    type: 'string',
    required: true,
    description: 'ECS cluster name or ARN',
    valueName: '<cluster>',
  },
  service: {
    type: 'string',
    required: true,
    description: 'ECS service name or ARN',
    valueName: '<service>',
  },
  region: { type: 'string', description: 'AWS region (default AWS_REGION)', valueName: '<region>' },
} as const satisfies OptionSpecs;

/** Options of the commands that wait for a deployment. */
export const WAIT_OPTIONS = {
  timeout: {
    type: 'string',
    default: '15m',
    description: 'How long to wait for the deployment',
    valueName: '<duration>',
  },
  poll: {
    type: 'string',
    default: '5s',
    description: 'Time between polls',
    valueName: '<duration>',
  },
  'failed-tasks': {
    type: 'string',
    default: '1',
    description: 'Failed tasks of the deployment before it counts as failed',
    valueName: '<n>',
  },
} as const satisfies OptionSpecs;

/** Cluster, service and region from the parsed values. */
export function serviceArgs(values: OptionValues<typeof SERVICE_OPTIONS>): {
  cluster: string;
  service: string;
  region?: string;
} {
  return {
    cluster: values.cluster,
    service: values.service,
    ...(values.region ? { region: values.region } : {}),
  };
}

/** Wait settings from the parsed values (durations more than 0, a count of at least 1). */
export function waitArgs(values: OptionValues<typeof WAIT_OPTIONS>): {
  timeoutMs: number;
  pollMs: number;
  failedTaskThreshold: number;
} {
  return {
    timeoutMs: parseDurationOption('--timeout', values.timeout, { min: 1 }),
    pollMs: parseDurationOption('--poll', values.poll, { min: 1 }),
    failedTaskThreshold: positiveInt(values['failed-tasks'], '--failed-tasks'),
  };
}

/** A whole number of at least 1. */
export function positiveInt(text: string, what: string): number {
  return parseIntegerOption(what, text, { min: 1 });
}

/** Writes watch progress to the log, one line per event. */
export function logEvent(log: { info(m: string): void }): (event: WatchEvent) => void {
  return (event) => {
    const prefix =
      event.kind === 'service-event' ? 'ECS: ' : event.kind === 'task-stopped' ? 'task: ' : '';
    log.info(`${prefix}${event.message}`);
  };
}
