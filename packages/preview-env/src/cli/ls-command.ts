import { defineCommand, formatDuration } from '@berth/internal';
import { configOptions, previewsFrom } from './config-options.ts';

/** "3d4h ago": minutes are the useful resolution for environments that live for days. */
function ago(when: Date | undefined, now: number): string {
  if (!when) return '-';
  const age = Math.max(0, now - when.getTime());
  return age < 60_000 ? '<1m ago' : `${formatDuration(age - (age % 60_000))} ago`;
}

/** `preview-env ls`. */
export const lsCommand = defineCommand({
  name: 'ls',
  summary: 'List environments: name, status, last deployed, created, image, URL',
  usage: 'ls [--config FILE] [--json]',
  description:
    'Every NAME it prints is accepted by delete, sleep and wake for the same environment.',
  json: true,
  options: { ...configOptions },
  async run(ctx) {
    const now = ctx.clock.now();
    const previews = previewsFrom(ctx);
    const envs = await previews.list({ signal: ctx.signal });
    if (ctx.json) {
      ctx.printJson(envs);
      return 0;
    }
    if (envs.length === 0) {
      ctx.log.info('no environments');
      return 0;
    }
    const rows = [
      ['NAME', 'STATUS', 'DEPLOYED', 'CREATED', 'IMAGE', 'URL'],
      ...envs.map((e) => [
        e.name,
        e.missing.length ? `${e.status} (no ${e.missing.join(', ')})` : e.status,
        ago(e.deployedAt, now),
        ago(e.createdAt, now),
        e.image ?? '-',
        e.url,
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    for (const r of rows) {
      ctx.print(r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  '));
    }
    return 0;
  },
});
