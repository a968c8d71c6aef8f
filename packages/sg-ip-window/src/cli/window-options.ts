import {
  type Clock,
  type OptionSpecs,
  type OptionValues,
  parseDuration,
  parseDurationOption,
  quoteInput,
  UsageError,
} from '@berth/internal';
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
    required: true,
    valueName: '<sg-id>[,<sg-id>...]',
    description: 'Security group(s) to open',
  },
  port: {
    type: 'string',
    multiple: true,
    required: true,
    valueName: '<n|a-b>',
    description: 'Port or range to open (several allowed)',
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
    description:
      'Admit a block instead of one host (wider than /32 or /128 needs --allow-wide; wider than /16 or /48 also --confirm-wide)',
  },
  'allow-wide': {
    type: 'boolean',
    description:
      'Allow a --cidr wider than one host, up to /16 (IPv4) or /48 (IPv6); 0.0.0.0/0 and ::/0 are always refused',
  },
  'confirm-wide': {
    type: 'string',
    valueName: '<cidr>',
    description: 'Confirm a --cidr wider than /16 or /48 by repeating it exactly',
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

type DetectValues = {
  family?: string | undefined;
  'ip-source'?: string[] | undefined;
  'ip-timeout'?: string | undefined;
};

/** Builds IP discovery options from command-line values. */
export function detectFromValues(
  values: DetectValues,
  signal?: AbortSignal,
): DetectPublicIpOptions {
  const family = values.family?.trim();
  if (family !== undefined && family !== '4' && family !== '6') {
    throw new UsageError(`--family: ${quoteInput(values.family ?? '')} must be 4 or 6`);
  }
  const sources = list(values['ip-source']).map(parseIpSource);
  return {
    ...(family ? { family: Number(family) as 4 | 6 } : {}),
    ...(sources.length > 0 ? { sources } : {}),
    ...(values['ip-timeout']
      ? { timeoutMs: parseDurationOption('--ip-timeout', values['ip-timeout'], { min: 1 }) }
      : {}),
    ...(signal ? { signal } : {}),
  };
}

type WindowValues = OptionValues<typeof windowOptions>;

/** Builds `openWindow` options from command-line values (validated by `openWindow` itself). */
export function windowFromValues(
  values: WindowValues,
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
  clock?: Clock,
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
    ...(values['confirm-wide'] !== undefined ? { confirmWide: values['confirm-wide'] } : {}),
    ...(values.ttl ? { ttl: parseDuration(values.ttl, '--ttl') } : {}),
    ...(values.owner ? { owner: values.owner } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.region ? { region: values.region } : {}),
    detect: detectFromValues(values, signal),
    ...(signal ? { signal } : {}),
    ...(clock ? { clock } : {}),
    env,
  };
}
