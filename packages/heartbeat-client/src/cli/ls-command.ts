import { defineCommand, maskToken } from '@berth/internal';
import type { Check } from '../api-types.ts';
import { API_URL_OPTION, apiFromEnv, redactCheck } from './api-from-env.ts';

function period(check: Check): string {
  if (check.schedule !== undefined) return `${check.schedule}${check.tz ? ` (${check.tz})` : ''}`;
  if (check.timeout === undefined) return '';
  const t = check.timeout;
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3_600],
    ['m', 60],
  ] as const) {
    if (t % size === 0) return `every ${t / size}${unit}`;
  }
  return `every ${t}s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** `heartbeat ls`: lists checks. */
export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'List checks (optionally by tag), UUIDs masked',
  usage: 'ls [--tag T]... [--slug S] [--json]',
  options: {
    tag: {
      type: 'string',
      multiple: true,
      valueName: '<tag>',
      description: 'Only checks with this tag',
    },
    slug: { type: 'string', valueName: '<slug>', description: 'Only the check(s) with this slug' },
    ...API_URL_OPTION,
  },
  json: true,
  async run({ values, io, json, print, printJson, signal }) {
    const api = apiFromEnv(io.env, values['api-url'], signal);
    const checks = await api.listChecks({
      ...(values.tag ? { tags: values.tag } : {}),
      ...(values.slug !== undefined ? { slug: values.slug } : {}),
    });
    if (json) {
      printJson(checks.map(redactCheck));
      return 0;
    }
    const rows = [['NAME', 'SLUG', 'STATUS', 'PERIOD', 'LAST PING', 'UUID', 'TAGS']];
    for (const c of checks) {
      rows.push([
        c.name || '(unnamed)',
        c.slug || '-',
        c.started ? `${c.status}, running` : c.status,
        period(c) || '-',
        c.last_ping ?? 'never',
        c.uuid ? maskToken(c.uuid) : (c.unique_key?.slice(0, 8) ?? '-'),
        c.tags || '-',
      ]);
    }
    for (const line of table(rows)) print(line);
    return 0;
  },
});
