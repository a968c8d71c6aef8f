import type {
  PlannedVersion,
  RollbackPlan,
  RollbackResult,
  WatchResult,
} from '@berth/ecs-rollback';

function revision(v: PlannedVersion): string {
  if (!v.taskDefinitionArn) return `${v.family} (new revision)`;
  return `\`${v.family}:${v.revision ?? '?'}\``;
}

function images(v: PlannedVersion): string {
  return v.containers.map((c) => `${c.container}: \`${c.image}\``).join('<br>');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown for the job summary: the from/to table with images, and the outcome. */
export function rollbackSummary(
  plan: RollbackPlan,
  result?: RollbackResult,
  error?: string,
): string {
  const registered = result?.registered
    ? 'new revision registered'
    : plan.willRegister
      ? 'new revision (to be registered)'
      : 'existing revision reused';
  const to: PlannedVersion =
    result?.taskDefinitionArn && !plan.target.taskDefinitionArn
      ? {
          ...plan.target,
          taskDefinitionArn: result.taskDefinitionArn,
          revision: Number(result.taskDefinitionArn.split(':').pop()),
        }
      : plan.target;
  const lines = [
    `### ECS rollback: \`${plan.service}\` (cluster \`${plan.cluster}\`)`,
    '',
    '| | Task definition | Images |',
    '|---|---|---|',
    `| From | ${revision(plan.current)} | ${images(plan.current)} |`,
    `| To | ${revision(to)} (${registered}) | ${images(to)} |`,
    '',
    `**Why:** ${cell(plan.reason)}`,
  ];
  const checks = plan.imageChecks ?? [];
  if (checks.length) {
    lines.push(
      '',
      `**Images:** ${checks.map((c) => `${c.container}: \`${c.state}\` (${cell(c.detail)})`).join('; ')}`,
    );
  }
  for (const w of plan.warnings ?? []) lines.push('', `**Warning:** ${cell(w)}`);
  if (result) lines.push('', `**Status:** \`${result.status}\`: ${cell(result.reason)}`);
  if (result?.method) {
    lines.push('', `**Method:** \`${result.method}\`: ${cell(result.methodReason ?? '')}`);
  }
  if (result?.cause) {
    lines.push('', `**Cause:** \`${result.cause}\`: ${cell(result.remedy ?? '')}`);
  }
  if (error) lines.push('', `**Failed:** ${cell(error)}`);
  return lines.join('\n');
}

/** Markdown for the job summary of a watch. */
export function watchSummary(service: string, cluster: string, watched: WatchResult): string {
  const lines = [
    `### ECS deployment: \`${service}\` (cluster \`${cluster}\`)`,
    '',
    '| Task definition | Status | Reason |',
    '|---|---|---|',
    `| \`${watched.taskDefinitionArn.slice(watched.taskDefinitionArn.lastIndexOf('/') + 1)}\` | \`${watched.status}\` | ${cell(watched.reason)} |`,
  ];
  if (watched.cause) {
    lines.push('', `**Cause:** \`${watched.cause}\`: ${cell(watched.remedy ?? '')}`);
  }
  if (watched.failedTasks.length) {
    lines.push('', '<details><summary>Failed tasks</summary>', '');
    for (const t of watched.failedTasks.slice(0, 20)) lines.push(`- ${cell(t.summary)}`);
    lines.push('', '</details>');
  }
  return lines.join('\n');
}

/** Markdown for the job summary when no rollback was planned: why not. */
export function notRolledBackSummary(
  service: string,
  cluster: string,
  message: string,
  skipped: boolean,
): string {
  return [
    `### ECS rollback: \`${service}\` (cluster \`${cluster}\`)`,
    '',
    `**${skipped ? 'Not rolled back' : 'Failed'}:** ${cell(message)}`,
  ].join('\n');
}
