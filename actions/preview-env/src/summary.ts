import { code, link, table, utc } from './markdown.ts';
import type { EnvironmentListing } from './preview.ts';

/** Job summary of a create or update. */
export function createdSummary(options: {
  name: string;
  url: string;
  image: string;
  created: boolean;
  serviceArn: string;
  taskDefinitionArn: string;
  at: Date;
  github: string[];
}): string {
  return [
    `### Preview environment ${code(options.name)} ${options.created ? 'created' : 'updated'}`,
    '',
    table([
      ['URL', link(options.url)],
      ['Image', code(options.image)],
      ['Service', code(options.serviceArn)],
      ['Task definition', code(options.taskDefinitionArn)],
      ['Deployed', utc(options.at)],
    ]),
    ...notes(options.github),
  ].join('\n');
}

/** Job summary of a sleep or wake. */
export function stateSummary(options: {
  name: string;
  title: string;
  url: string;
  text: string;
  at: Date;
  github: string[];
}): string {
  return [
    `### Preview environment ${code(options.name)} ${options.title}`,
    '',
    table([
      ['URL', link(options.url)],
      ['At', utc(options.at)],
    ]),
    '',
    options.text,
    ...notes(options.github),
  ].join('\n');
}

/** Job summary of a failed create or delete. */
export function failedSummary(options: {
  name: string;
  operation: string;
  error: string;
  github: string[];
}): string {
  return [
    `### Preview environment ${code(options.name)}: ${options.operation} failed`,
    '',
    code(options.error.slice(0, 500)),
    '',
    'Anything this run created was removed again; earlier deployments are unchanged.',
    ...notes(options.github),
  ].join('\n');
}

/** Job summary of a delete. */
export function deletedSummary(options: {
  name: string;
  existed: boolean;
  removed: readonly string[];
  at: Date;
  github: string[];
}): string {
  return [
    `### Preview environment ${code(options.name)} ${options.existed ? 'deleted' : 'was already gone'}`,
    '',
    options.existed
      ? `Removed at ${utc(options.at)}:\n\n${options.removed.map((r) => `- ${code(r)}`).join('\n')}`
      : 'No resources of this environment were found; nothing to remove.',
    ...notes(options.github),
  ].join('\n');
}

/** Job summary of `ls` and `sweep`: the environments, and what was removed. */
export function listSummary(options: {
  title: string;
  environments: readonly EnvironmentListing[];
  removed?: ReadonlyArray<{ name: string; reason: string }>;
  github?: string[];
}): string {
  const lines = [`### ${options.title}`, ''];
  if (options.removed) {
    if (options.removed.length === 0) lines.push('Nothing to remove.', '');
    else {
      lines.push('| Removed | Why |', '| --- | --- |');
      for (const r of options.removed) lines.push(`| ${code(r.name)} | ${r.reason} |`);
      lines.push('');
    }
  }
  if (options.environments.length === 0) lines.push('No preview environments.');
  else {
    lines.push(
      '| Environment | PR | URL | Image | Last deployed | Status |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const e of options.environments) {
      lines.push(
        `| ${code(e.name)} | ${e.pr === undefined ? '' : `#${e.pr}`} | ${e.url ? link(e.url) : ''} | ${
          e.image ? code(e.image) : ''
        } | ${e.deployedAt ? utc(e.deployedAt) : ''} | ${e.status} |`,
      );
    }
  }
  lines.push(...notes(options.github ?? []));
  return lines.join('\n');
}

function notes(github: string[]): string[] {
  return github.length === 0 ? [] : ['', ...github.map((n) => `> ${n}`)];
}
