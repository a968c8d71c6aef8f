import { type OptionSpecs, parseDuration, UsageError } from '@berth/internal';
import type { DetectPublicIpOptions } from '../detect-public-ip.ts';
import { parseIpSource } from '../ip-sources.ts';
import type { OpenWindowOptions } from '../open-window.ts';

/** Splits repeatable, comma-separated option values. */
export function list(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Options of IP discovery, shared by `exec`, `open` and `whoami`. */
export const detectOptions = {
  family: {
    type: 'string',
    valueName: '4|6',
    description: 'Detect only an IPv4 or only an IPv6 address',
  },
  'ip-source': {
    type: 'string',
    multiple: true,
    valueName: '<url>',
    description: 'Replace the IP sources: https://... or dns://<server>/<name>?type=A|AAAA|TXT',
  },
  'ip-timeout': {
    type: 'string',
    valueName: '<duration>',
    description: 'How long IP detection may take (default 5s)',
  },
} as const satisfies OptionSpecs;

/** Options that open a window, shared by `exec` and `open`. */
export const windowOptions = {
  group: {
    type: 'string',
    multiple: true,
    valueName: '<sg-id>[,<sg-id>...]',
    description: 'Security group(s) to open (required)',
  },
  port: {
    type: 'string',
    multiple: true,
    valueName: '<n|a-b>',
    description: 'Port or range to open (required; several allowed)',
  },
  protocol: { type: 'string', valueName: 'tcp|udp', description: 'Protocol (default tcp)' },
  ip: {
    type: 'string',
    valueName: 'auto|<address>',
    description: 'Address to admit (default auto: detect the public IP)',
  },
  cidr: {
    type: 'string',
    valueName: '<cidr>',
    description: 'Admit a block instead of one host (wider than /32 or /128 needs --allow-wide)',
  },
  'allow-wide': {
    type: 'boolean',
    description: 'Allow a --cidr wider than one host (0.0.0.0/0 and ::/0 are always refused)',
  },
  ttl: {
    type: 'string',
    valueName: '<duration>',
    description: 'Declared lifetime; sweep may remove the rule after it (default 1h)',
  },
  owner: {
    type: 'string',
    valueName: '<name>',
    description:
      'Holder name for the tags (default: the GitHub run/job/runner, or user@host; exec adds /pid-<pid>)',
  },
  description: {
    type: 'string',
    valueName: '<text>',
    description: 'Rule description (default: sg-ip-window: <owner> until <time>)',
  },
  region: { type: 'string', valueName: '<region>', description: 'AWS region (default AWS_REGION)' },
  ...detectOptions,
} as const satisfies OptionSpecs;

type DetectValues = { family?: string; 'ip-source'?: string[]; 'ip-timeout'?: string };

/** Builds IP discovery options from command-line values. */
export function detectFromValues(
  values: DetectValues,
  signal?: AbortSignal,
): DetectPublicIpOptions {
  const family = values.family?.trim();
  if (family !== undefined && family !== '4' && family !== '6') {
    throw new UsageError(`--family: "${values.family}" must be 4 or 6`);
  }
  const sources = list(values['ip-source']).map(parseIpSource);
  return {
    ...(family ? { family: Number(family) as 4 | 6 } : {}),
    ...(sources.length > 0 ? { sources } : {}),
    ...(values['ip-timeout']
      ? { timeoutMs: parseDuration(values['ip-timeout'], '--ip-timeout') }
      : {}),
    ...(signal ? { signal } : {}),
  };
}

type WindowValues = DetectValues & {
  group?: string[];
  port?: string[];
  protocol?: string;
  ip?: string;
  cidr?: string;
  'allow-wide'?: boolean;
  ttl?: string;
  owner?: string;
  description?: string;
  region?: string;
};

/** Builds `openWindow` options from command-line values (validated by `openWindow` itself). */
export function windowFromValues(
  values: WindowValues,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): OpenWindowOptions {
  const groupIds = list(values.group);
  if (groupIds.length === 0) throw new UsageError('missing --group <sg-id>');
  const ports = list(values.port);
  if (ports.length === 0) throw new UsageError('missing --port <n|a-b>');
  return {
    groupIds,
    ports,
    ...(values.protocol ? { protocol: values.protocol as 'tcp' } : {}),
    ...(values.ip ? { ip: values.ip } : {}),
    ...(values.cidr ? { cidr: values.cidr } : {}),
    ...(values['allow-wide'] ? { allowWide: true } : {}),
    ...(values.ttl ? { ttl: parseDuration(values.ttl, '--ttl') } : {}),
    ...(values.owner ? { owner: values.owner } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.region ? { region: values.region } : {}),
    detect: detectFromValues(values, signal),
    env,
  };
}
