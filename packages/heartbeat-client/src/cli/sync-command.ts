import { defineCommand, UsageError } from '@berth/internal';
import type { FieldChange, SyncPlan, SyncStep } from '../sync/sync-checks.ts';
import { API_URL_OPTION, apiFromEnv } from './api-from-env.ts';
import { readFileOnUse } from './read-file.ts';

const SIGN: Record<SyncStep['action'], string> = {
  create: '+',
  update: '~',
  delete: '-',
  unchanged: '=',
};

function value(v: FieldChange['from']): string {
  if (v === undefined) return '(none)';
  if (v === '') return '""';
  return String(v);
}

/** The plan as text lines: a summary, then one line per check (and its field changes). */
export function planLines(plan: SyncPlan): string[] {
  const c = plan.counts;
  const lines = [
    `plan: ${c.create} to create, ${c.update} to update, ${c.delete} to delete, ${c.unchanged} unchanged`,
  ];
  for (const step of plan.steps) {
    lines.push(
      `${SIGN[step.action]} ${step.action} ${step.slug}${step.uuid ? ` (${step.uuid})` : ''}`,
    );
    for (const ch of step.changes) {
      lines.push(
        step.action === 'create'
          ? `    ${ch.field}: ${value(ch.to)}`
          : `    ${ch.field}: ${value(ch.from)} -> ${value(ch.to)}`,
      );
    }
  }
  if (plan.strays.length > 0) {
    lines.push(
      `note: ${plan.strays.length} managed check${plan.strays.length === 1 ? ' is' : 's are'} no longer in the file and kept (--prune deletes them): ${plan.strays.join(', ')}`,
    );
  }
  return lines;
}

/** `heartbeat sync`: makes the project's checks match a file. */
export const syncCommand = defineCommand({
  name: 'sync',
  summary: "Make the project's checks match heartbeat.yml (plan, then apply)",
  usage: 'sync [--file heartbeat.yml] [--dry-run] [--prune] [--json]',
  description: `Reads the checks from the file (keyed by slug), prints a plan (create, update with
the fields that differ, delete, unchanged) and applies it; --dry-run stops after the plan.
Every check it creates or updates carries the file's managed tag (managed-by:heartbeat-sync);
with --prune, managed checks no longer in the file are deleted (checks without the tag are
never touched). A second run changes nothing. Channels are named as in the project.
Exit 0 in sync or synced, 1 when the API failed, 2 for a bad file (every problem names the
check and the field). Needs HC_API_KEY (read-write); HC_API_URL for a self-hosted server.`,
  options: {
    file: {
      type: 'string',
      short: 'f',
      default: 'heartbeat.yml',
      valueName: '<path>',
      description: 'The file describing the checks',
    },
    'dry-run': { type: 'boolean', description: 'Print the plan only; change nothing' },
    prune: {
      type: 'boolean',
      description: 'Delete managed checks that are no longer in the file',
    },
    ...API_URL_OPTION,
  },
  json: true,
  async run({ values, io, log, json, print, printJson, signal }) {
    const path = values.file;
    let source: string;
    try {
      source = (await readFileOnUse(path)).toString('utf8');
    } catch (error) {
      throw new UsageError(
        `--file: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`,
      );
    }
    // Loaded here, not at start-up: `heartbeat run` never pays for the YAML parser.
    const { parseHeartbeatFile } = await import('../sync/heartbeat-file.ts');
    const { syncChecks } = await import('../sync/sync-checks.ts');
    const file = parseHeartbeatFile(source, path);
    const api = apiFromEnv(io.env, values['api-url'], signal);
    const dryRun = Boolean(values['dry-run']);
    const { plan, applied } = await syncChecks(api, file, {
      prune: Boolean(values.prune),
      dryRun,
      onStep: (step) => log.debug(`${step.action} ${step.slug}`),
    });
    const changes = plan.counts.create + plan.counts.update + plan.counts.delete;
    if (json) {
      printJson({ file: path, dryRun, prune: Boolean(values.prune), applied, ...plan });
    } else {
      for (const line of planLines(plan)) print(line);
    }
    if (changes === 0) log.info('in sync: nothing to change');
    else if (dryRun) log.info('dry run: nothing was changed');
    else log.info(`synced: ${changes} change${changes === 1 ? '' : 's'} applied`);
    return 0;
  },
});
