import { maskToken } from '@berth/internal';
import type { HealthchecksApi } from '../api-client.ts';
import type { Channel, Check, CheckFields } from '../api-types.ts';
import { HeartbeatError } from '../errors.ts';
import type { CheckDefinition, HeartbeatFile } from './heartbeat-file.ts';

/** A field of a check that `heartbeat sync` changes: its value on the server and in the file. */
export interface FieldChange {
  field:
    | 'name'
    | 'desc'
    | 'tags'
    | 'timeout'
    | 'schedule'
    | 'tz'
    | 'grace'
    | 'channels'
    | 'methods'
    | 'manual_resume';
  /** On the server (undefined: not set, e.g. `schedule` of a simple check). */
  from: string | number | boolean | undefined;
  to: string | number | boolean | undefined;
}

/** One step of a sync plan. */
export interface SyncStep {
  action: 'create' | 'update' | 'delete' | 'unchanged';
  slug: string;
  /** The check's name (in the file, or on the server for deletes). */
  name: string;
  /** The check's UUID, masked (all but the last 4 characters); absent for creates. */
  uuid?: string;
  /** Creates: every field set; updates: the fields that differ. */
  changes: FieldChange[];
}

/** What `heartbeat sync` will do (or did). */
export interface SyncPlan {
  steps: SyncStep[];
  /** Managed checks not in the file, kept because `prune` was not given. */
  strays: string[];
  counts: Record<SyncStep['action'], number>;
}

/** Options of {@link syncChecks}. */
export interface SyncOptions {
  /** Delete managed checks that are no longer in the file (default false). */
  prune?: boolean;
  /** Plan only: make no write call (default false). */
  dryRun?: boolean;
  /** Called with each step just before it is applied. */
  onStep?: (step: SyncStep) => void;
}

/** What {@link syncChecks} did. */
export interface SyncResult {
  plan: SyncPlan;
  /** True when the plan was carried out (false for a dry run). */
  applied: boolean;
}

interface Desired {
  definition: CheckDefinition;
  tags: string[];
  /** Sorted channel ids. */
  channels: string[];
}

function channelIds(
  definition: CheckDefinition,
  channels: readonly Channel[],
): string[] | { error: string } {
  if (definition.channels === '*') return channels.map((c) => c.id).sort();
  const ids = new Set<string>();
  for (const ref of definition.channels) {
    const byId = channels.find((c) => c.id === ref.toLowerCase());
    const byName = channels.filter((c) => c.name === ref);
    if (byId) ids.add(byId.id);
    else if (byName.length === 1) ids.add((byName[0] as Channel).id);
    else if (byName.length > 1) {
      return { error: `channel "${ref}" names ${byName.length} channels; give its id instead` };
    } else {
      const known = channels.map((c) => `"${c.name}"`).join(', ') || 'none';
      return { error: `no channel named "${ref}" in the project (its channels: ${known})` };
    }
  }
  return [...ids].sort();
}

function serverChannels(check: Check): string[] {
  return (check.channels ?? '')
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '')
    .sort();
}

function serverTags(check: Check): string[] {
  return check.tags.split(/\s+/).filter((t) => t !== '');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}

function diff(desired: Desired, check: Check | undefined): FieldChange[] {
  const d = desired.definition;
  const changes: FieldChange[] = [];
  const add = (field: FieldChange['field'], from: FieldChange['from'], to: FieldChange['to']) => {
    if (from !== to) changes.push({ field, from, to });
  };
  add('name', check?.name, d.name);
  add('desc', check?.desc, d.desc);
  if (!check || !sameSet(serverTags(check), desired.tags)) {
    changes.push({ field: 'tags', from: check?.tags, to: desired.tags.join(' ') });
  }
  if (d.schedule !== undefined) {
    add('schedule', check?.schedule, d.schedule);
    add('tz', check?.tz, d.tz);
  } else {
    add('timeout', check?.timeout, d.timeout);
  }
  add('grace', check?.grace, d.grace);
  if (!check || !sameSet(serverChannels(check), desired.channels)) {
    changes.push({
      field: 'channels',
      from: check?.channels,
      to: desired.channels.join(','),
    });
  }
  add('methods', check?.methods, d.methods);
  add('manual_resume', check?.manual_resume, d.manual_resume);
  // A new check's defaults need not be shown as changes.
  return check
    ? changes
    : changes.filter(
        (c) =>
          !(c.field === 'desc' && c.to === '') &&
          !(c.field === 'methods' && c.to === '') &&
          !(c.field === 'manual_resume' && c.to === false),
      );
}

/** The fields to send for a step: everything for a create, the changes for an update. */
function body(desired: Desired, changes: readonly FieldChange[], create: boolean): CheckFields {
  const d = desired.definition;
  const changed = new Set(changes.map((c) => c.field));
  const want = (field: FieldChange['field']) => create || changed.has(field);
  return {
    ...(create ? { slug: d.slug } : {}),
    ...(want('name') ? { name: d.name } : {}),
    ...(want('desc') ? { desc: d.desc } : {}),
    ...(want('tags') ? { tags: desired.tags } : {}),
    ...(d.schedule !== undefined && (want('schedule') || want('tz'))
      ? { schedule: d.schedule, tz: d.tz ?? 'UTC' }
      : {}),
    ...(d.timeout !== undefined && want('timeout') ? { timeout: d.timeout } : {}),
    ...(want('grace') ? { grace: d.grace } : {}),
    ...(want('channels') ? { channels: desired.channels.join(',') } : {}),
    ...(want('methods') ? { methods: d.methods } : {}),
    ...(want('manual_resume') ? { manual_resume: d.manual_resume } : {}),
  };
}

/**
 * Plans a sync from the project's checks and channels as they are: every check of the file
 * is created, updated (with the fields that differ) or unchanged; with `prune`, checks that
 * carry the managed tag but are no longer in the file are deleted (checks without it are
 * never touched). Channel names are resolved to ids here, so an unknown one fails before
 * any write.
 *
 * @throws HeartbeatError `E_INPUT` for an unknown or ambiguous channel name,
 *   `E_AMBIGUOUS` when the server has several checks with a slug of the file.
 */
export function planSync(
  file: HeartbeatFile,
  current: { checks: readonly Check[]; channels: readonly Channel[] },
  options: { prune?: boolean } = {},
): SyncPlan {
  return buildPlan(file, current, options).plan;
}

function buildPlan(
  file: HeartbeatFile,
  current: { checks: readonly Check[]; channels: readonly Channel[] },
  options: { prune?: boolean },
): { plan: SyncPlan; desired: Map<string, Desired>; targets: Map<SyncStep, Check> } {
  const problems: string[] = [];
  const desired = new Map<string, Desired>();
  for (const definition of file.checks) {
    const ids = channelIds(definition, current.channels);
    if (!Array.isArray(ids)) {
      problems.push(`checks.${definition.slug}.channels: ${ids.error}`);
      continue;
    }
    desired.set(definition.slug, {
      definition,
      tags: [...definition.tags, file.managedTag],
      channels: ids,
    });
  }
  if (problems.length > 0) {
    throw new HeartbeatError(
      'E_INPUT',
      `the file names channels the project does not have: ${problems.join('; ')}`,
    );
  }
  const bySlug = new Map<string, Check>();
  for (const check of current.checks) {
    if (check.slug === '' || !desired.has(check.slug)) continue;
    if (bySlug.has(check.slug)) {
      throw new HeartbeatError(
        'E_AMBIGUOUS',
        `the project has more than one check with slug "${check.slug}"; delete or rename the extra one by hand, then sync again`,
      );
    }
    bySlug.set(check.slug, check);
  }
  const steps: SyncStep[] = [];
  const targets = new Map<SyncStep, Check>();
  for (const [slug, want] of desired) {
    const check = bySlug.get(slug);
    if (check && check.uuid === undefined) {
      throw new HeartbeatError(
        'E_UNAUTHORIZED',
        "sync needs the project's read-write API key (this one is read-only)",
      );
    }
    const changes = diff(want, check);
    const step: SyncStep = {
      action: !check ? 'create' : changes.length > 0 ? 'update' : 'unchanged',
      slug,
      name: want.definition.name,
      ...(check?.uuid ? { uuid: maskToken(check.uuid) } : {}),
      changes,
    };
    steps.push(step);
    if (check) targets.set(step, check);
  }
  const strays: string[] = [];
  for (const check of current.checks) {
    if (!serverTags(check).includes(file.managedTag) || desired.has(check.slug)) continue;
    if (!options.prune) {
      strays.push(check.slug || check.name);
      continue;
    }
    if (check.uuid === undefined) {
      throw new HeartbeatError(
        'E_UNAUTHORIZED',
        "sync needs the project's read-write API key (this one is read-only)",
      );
    }
    const step: SyncStep = {
      action: 'delete',
      slug: check.slug,
      name: check.name,
      uuid: maskToken(check.uuid),
      changes: [],
    };
    steps.push(step);
    targets.set(step, check);
  }
  const counts = { create: 0, update: 0, delete: 0, unchanged: 0 };
  for (const s of steps) counts[s.action]++;
  return { plan: { steps, strays, counts }, desired, targets };
}

/**
 * Makes the project's checks match a `heartbeat.yml` (see {@link parseHeartbeatFile}):
 * reads the checks and channels, plans (see {@link planSync}), and unless `dryRun`, applies
 * the plan: creates (with `unique: slug`, so a retried create never makes a duplicate),
 * updates only the fields that differ, and with `prune` deletes managed checks no longer
 * in the file. A second run finds nothing to do and makes no write call.
 *
 * @example
 * ```ts
 * const file = parseHeartbeatFile(readFileSync('heartbeat.yml', 'utf8'));
 * const { plan } = await syncChecks(api, file, { prune: true });
 * console.log(plan.counts); // { create: 1, update: 0, delete: 0, unchanged: 2 }
 * ```
 */
export async function syncChecks(
  api: HealthchecksApi,
  file: HeartbeatFile,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const [checks, channels] = await Promise.all([api.listChecks(), api.listChannels()]);
  const { plan, desired, targets } = buildPlan(file, { checks, channels }, options);
  if (options.dryRun) return { plan, applied: false };
  let done = 0;
  const todo = plan.steps.filter((s) => s.action !== 'unchanged').length;
  for (const step of plan.steps) {
    if (step.action === 'unchanged') continue;
    options.onStep?.(step);
    try {
      if (step.action === 'create') {
        const want = desired.get(step.slug) as Desired;
        await api.createCheck({ ...body(want, step.changes, true), unique: ['slug'] });
      } else if (step.action === 'update') {
        const want = desired.get(step.slug) as Desired;
        const check = targets.get(step) as Check;
        await api.updateCheck(check.uuid as string, body(want, step.changes, false));
      } else {
        const check = targets.get(step) as Check;
        try {
          await api.deleteCheck(check.uuid as string);
        } catch (error) {
          if (!(error instanceof HeartbeatError && error.code === 'E_NOT_FOUND')) throw error;
        }
      }
      done++;
    } catch (error) {
      if (!(error instanceof HeartbeatError)) throw error;
      throw new HeartbeatError(
        error.code,
        `${step.action} ${step.slug}: ${error.message} (${done} of ${todo} changes were applied before it; run sync again to finish)`,
        {
          cause: error,
          ...(error.status !== undefined ? { status: error.status } : {}),
          retryable: error.retryable,
        },
      );
    }
  }
  return { plan, applied: true };
}
