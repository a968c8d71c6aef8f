import type { PlannedVersion, RollbackPlan } from '../plan.ts';
import type { RollbackResult } from '../rollback.ts';
import { shortTaskDefinition } from '../task-definitions.ts';
import type { ServiceHistory } from '../types.ts';
import type { WatchResult } from '../watch.ts';

/** `app:7` for a revision, or what will be registered. */
export function versionLabel(v: PlannedVersion): string {
  return v.taskDefinitionArn ? shortTaskDefinition(v.taskDefinitionArn) : `${v.family}:(new)`;
}

/** `web=repo/app:v1, envoy=...`. */
export function imagesLabel(v: PlannedVersion): string {
  return v.containers
    .map(
      (c) =>
        `${c.container}=${c.image}${c.digest && !c.image.includes('@') ? ` (${c.digest.slice(0, 19)}…)` : ''}`,
    )
    .join(', ');
}

/** The lines people read before anything changes: from -> to, images, why. */
export function planLines(plan: RollbackPlan): string[] {
  const how = plan.willRegister
    ? `new revision, registered from ${shortTaskDefinition(plan.registerFrom ?? plan.current.taskDefinitionArn)}`
    : 'existing revision reused, nothing registered';
  const lines = [
    `service ${plan.service} (cluster ${plan.cluster})`,
    `  from  ${versionLabel(plan.current).padEnd(14)} ${imagesLabel(plan.current)}`,
    `  to    ${versionLabel(plan.target).padEnd(14)} ${imagesLabel(plan.target)}`,
    `        ${how}`,
    `  why   ${plan.reason}`,
  ];
  if (plan.note) lines.push(`  note  ${plan.note}`);
  for (const c of plan.imageChecks ?? []) {
    lines.push(`  image ${c.container}: ${c.state}: ${c.detail}`);
  }
  for (const w of plan.warnings ?? []) lines.push(`  warning ${w}`);
  return lines;
}

/** The closing lines of a rollback. */
export function rollbackLines(result: RollbackResult): string[] {
  const lines = [result.reason];
  if (result.method) lines.push(`via ${result.method}: ${result.methodReason ?? ''}`.trimEnd());
  if (result.cause) lines.push(`cause ${result.cause}: ${result.remedy ?? ''}`.trimEnd());
  if (result.deregistered) lines.push(`deregistered ${shortTaskDefinition(result.deregistered)}`);
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** The closing lines of a watch. */
export function watchLines(result: WatchResult): string[] {
  const lines = [`deployment ${result.status}: ${result.reason}`];
  if (result.cause) lines.push(`cause ${result.cause}: ${result.remedy ?? ''}`.trimEnd());
  return lines;
}

/** History as a table, newest first, `*` on the current version. */
export function historyTable(h: ServiceHistory): string[] {
  const rows = h.versions.map((v) => [
    `${v.current ? '*' : ' '} ${shortTaskDefinition(v.taskDefinitionArn)}`,
    v.status,
    v.outcome ?? '-',
    v.registeredAt ? v.registeredAt.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-',
    v.containers
      .map((c) => {
        const state = v.imageChecks?.find((x) => x.container === c.container)?.state;
        const mark =
          state === 'missing' || state === 'repository-missing'
            ? ' [gone]'
            : state === 'tag-moved'
              ? ' [tag moved]'
              : '';
        return `${c.container}=${c.image}${c.digest && !c.image.includes('@') ? ` (${c.digest.slice(0, 19)}…)` : ''}${mark}`;
      })
      .join(' '),
  ]);
  const header = ['  REVISION', 'STATUS', 'OUTCOME', 'REGISTERED', 'IMAGES'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length)),
  );
  const fmt = (r: string[]) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const lines = [
    `service ${h.service} (cluster ${h.cluster}), newest first; * = current`,
    fmt(header),
    ...rows.map(fmt),
  ];
  if (h.note) lines.push(`outcomes from the service's current deployments only: ${h.note}`);
  const gone = h.versions.filter((v) => v.imagesGone);
  if (gone.length) {
    lines.push(
      `[gone]: the image no longer exists in ECR; rolling back to ${gone
        .map((v) => shortTaskDefinition(v.taskDefinitionArn))
        .join(', ')} would fail to pull`,
    );
  }
  return lines;
}
