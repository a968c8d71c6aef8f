import { withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import { effectiveTag, parseImage, withTagOrDigest } from './image.ts';
import { checkServiceRef } from './service.ts';
import { ServiceInspector } from './service-inspector.ts';
import { describeRollbackTo, parseRollbackTo, type RollbackTo } from './target.ts';
import { shortTaskDefinition } from './task-definitions.ts';
import type {
  ContainerImageInfo,
  EcsRollbackOptions,
  HistorySource,
  ServiceRef,
  TaskDefinitionVersion,
} from './types.ts';

/** Options of {@link planRollback}. */
export interface PlanRollbackOptions extends EcsRollbackOptions, ServiceRef {
  /**
   * Where to go: `previous` (default), an image tag, `tag:<tag>`, a digest (`sha256:...`),
   * an image (`repo/app:v1`), a revision number, `family:revision`, or a task definition ARN.
   */
  to?: string;
  /** Container whose image a tag or digest refers to; needed when there are several. */
  container?: string;
  /**
   * Allow registering a new revision: for a tag no ACTIVE revision runs (cloned from the
   * current revision with the image swapped), or to bring back an INACTIVE target (for
   * `previous` over the family: the newest older INACTIVE revision whose images differ, when
   * no ACTIVE one does).
   */
  register?: boolean;
  /** How many ACTIVE revisions a tag or digest lookup examines, newest first (default 100). */
  searchLimit?: number;
}

/** The version a plan moves to; no ARN or revision yet when one will be registered. */
export interface PlannedVersion {
  taskDefinitionArn?: string;
  family: string;
  revision?: number;
  status?: string;
  registeredAt?: Date;
  containers: ContainerImageInfo[];
}

/** How a plan's target was chosen. */
export type PlanSource = HistorySource | 'explicit' | 'image-lookup';

/** What {@link planRollback} decided; changes nothing until given to `rollback`. */
export interface RollbackPlan {
  cluster: string;
  service: string;
  serviceArn: string;
  /** The `to` that was asked for. */
  to: string;
  /** The revision the service is set to run now. */
  current: TaskDefinitionVersion;
  /** Where the service will go. */
  target: PlannedVersion;
  /** Why this target, in words. */
  reason: string;
  /** True when `rollback` will register a new revision (only with `register`). */
  willRegister: boolean;
  /** The revision the new one is cloned from, when `willRegister`. */
  registerFrom?: string;
  /** Container name to image, applied to the clone, when `willRegister` swaps images. */
  imageOverrides?: Record<string, string>;
  /** Where the target came from. */
  source: PlanSource;
  /** Why the service deployment APIs were not used, when they were not. */
  note?: string;
}

const DEFAULT_SEARCH_LIMIT = 100;
const DESCRIBE_CHUNK = 5;

interface Resolved {
  version: TaskDefinitionVersion;
  source: PlanSource;
  reason: string;
  note?: string;
}

/**
 * Decides where a rollback goes without changing anything: the current revision, the
 * target (an existing revision reused as is whenever one fits), why, and whether a new
 * revision must be registered.
 *
 * `previous` is the last version before the current one that was deployed successfully,
 * from the ECS service deployment history when those APIs answer, otherwise the newest
 * ACTIVE revision of the family, older than the current one, whose images differ.
 *
 * @throws EcsRollbackError `E_NO_PREVIOUS`, `E_TAG_NOT_FOUND` (listing the tags that exist),
 * `E_TARGET_NOT_FOUND`, `E_TARGET_INACTIVE`, `E_ALREADY_CURRENT` (exit 3); `E_INPUT`,
 * `E_CONTAINER`, `E_CLUSTER_NOT_FOUND`, `E_SERVICE_NOT_FOUND` (exit 2); `E_AWS`.
 *
 * @example
 * ```ts
 * const plan = await planRollback({ cluster: 'prod', service: 'web', to: 'v1.4.2' });
 * console.log(plan.current.revision, '->', plan.target.revision, plan.reason);
 * ```
 */
export async function planRollback(options: PlanRollbackOptions): Promise<RollbackPlan> {
  checkServiceRef(options);
  const to = parseRollbackTo(options.to, 'to');
  const searchLimit = options.searchLimit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(searchLimit) || searchLimit < 1) {
    throw new EcsRollbackError(
      'E_INPUT',
      `searchLimit must be a positive integer, got ${searchLimit}`,
    );
  }
  if (options.container !== undefined && options.container.trim() === '') {
    throw new EcsRollbackError(
      'E_INPUT',
      'container is empty: pass a container name or leave it out',
    );
  }
  return withSession(options, async ({ ecs }) => {
    const ins = new ServiceInspector(ecs, { cluster: options.cluster, service: options.service });
    const service = await ins.service();
    if (to.kind === 'digest' || (to.kind === 'image' && to.digest)) await ins.digests();
    const current = await ins.current();
    const container =
      options.container ?? (to.kind === 'previous' ? undefined : onlyContainer(current));
    if (container !== undefined) checkContainer(current, container);

    const resolved =
      to.kind === 'previous'
        ? await resolvePrevious(ins, current, container, options.register === true)
        : to.kind === 'revision' || to.kind === 'task-definition'
          ? await resolveExplicit(ins, to, current)
          : await resolveImage(ins, to, current, container as string, searchLimit);

    const common = {
      cluster: options.cluster,
      service: options.service,
      serviceArn: service.serviceArn ?? options.service,
      to: options.to?.trim() || 'previous',
      current,
    };
    if ('register' in resolved) {
      return resolved.register({ ...common, source: 'image-lookup' }, options.register === true);
    }
    const base = {
      ...common,
      source: resolved.source,
      ...(resolved.note ? { note: resolved.note } : {}),
    };
    const target = resolved.version;
    if (target.taskDefinitionArn === current.taskDefinitionArn) {
      throw alreadyCurrent(options, current);
    }
    if (target.status !== 'ACTIVE') {
      if (!options.register) {
        throw new EcsRollbackError(
          'E_TARGET_INACTIVE',
          `${shortTaskDefinition(target.taskDefinitionArn)} is ${target.status} (deregistered) and ECS cannot run it: pass --register to register a copy of it as a new revision, or pick an ACTIVE revision (see ecs-rollback history)`,
        );
      }
      return {
        ...base,
        target: { family: target.family, containers: target.containers },
        reason: `${resolved.reason}; ${shortTaskDefinition(target.taskDefinitionArn)} is ${target.status}, so a copy of it will be registered as a new revision`,
        willRegister: true,
        registerFrom: target.taskDefinitionArn,
      };
    }
    return { ...base, target, reason: resolved.reason, willRegister: false };
  });
}

async function resolvePrevious(
  ins: ServiceInspector,
  current: TaskDefinitionVersion,
  container: string | undefined,
  register: boolean,
): Promise<Resolved> {
  const history = await ins.deployments(['SUCCESSFUL']);
  let note: string;
  if (history.available) {
    const last = history.deployments.find(
      (d) =>
        d.status === 'SUCCESSFUL' &&
        d.taskDefinitionArn !== undefined &&
        d.taskDefinitionArn !== current.taskDefinitionArn,
    );
    if (last?.taskDefinitionArn) {
      const version = await ins.version(last.taskDefinitionArn);
      const when = last.at ? `, finished ${last.at.toISOString()}` : '';
      return {
        version,
        source: 'service-deployments',
        reason: `last successful deployment before the current one (${shortId(last.serviceDeploymentArn)}${when})`,
      };
    }
    note =
      'the service deployment history (kept 90 days) has no successful deployment of another revision';
  } else {
    note = history.reason;
  }

  const active = await ins.revisions(current.family, 'ACTIVE');
  const older = active.filter((r) => r.revision < current.revision);
  const which = container ? `the image of ${container}` : 'images';
  const olderActive = await newestDiffering(ins, older, current, container);
  if (olderActive) {
    return {
      version: olderActive,
      source: 'task-definition-family',
      reason: `newest ACTIVE revision of ${current.family} older than ${current.revision} whose ${which} differ`,
      note,
    };
  }
  const inactive = (await ins.revisions(current.family, 'INACTIVE')).filter(
    (r) => r.revision < current.revision,
  );
  if (register) {
    // Allowed to register: a deregistered revision (Terraform deregisters the old one on
    // every change) is brought back as a copy rather than leaving nothing to roll back to.
    const olderInactive = await newestDiffering(ins, inactive, current, container);
    if (olderInactive) {
      return {
        version: olderInactive,
        source: 'task-definition-family',
        reason: `no ACTIVE revision of ${current.family} older than ${current.revision} runs different ${which}; newest INACTIVE one that does`,
        note,
      };
    }
  }
  const hint = inactive.length
    ? `; older INACTIVE revisions exist (${inactive
        .slice(0, 5)
        .map((r) => r.revision)
        .join(
          ', ',
        )}): pass --register to bring back the newest of them as a new revision, or --to <revision> --register`
    : '';
  throw new EcsRollbackError(
    'E_NO_PREVIOUS',
    `nothing to roll back to: no ACTIVE revision of ${current.family} older than ${current.revision} runs different images (${older.length} checked; ${note})${hint}`,
  );
}

async function resolveExplicit(
  ins: ServiceInspector,
  to: Extract<RollbackTo, { kind: 'revision' | 'task-definition' }>,
  current: TaskDefinitionVersion,
): Promise<Resolved> {
  const id = to.kind === 'revision' ? `${current.family}:${to.revision}` : to.id;
  const version = await ins.version(id);
  return { version, source: 'explicit', reason: `requested ${describeRollbackTo(to)}` };
}

type ImageTo = Extract<RollbackTo, { kind: 'tag' | 'digest' | 'image' }>;

async function resolveImage(
  ins: ServiceInspector,
  to: ImageTo,
  current: TaskDefinitionVersion,
  container: string,
  searchLimit: number,
): Promise<Resolved | { register: (base: PlanBase, allowed: boolean) => RollbackPlan }> {
  const wanted = describeRollbackTo(to);
  if (matches(current, container, to)) {
    throw new EcsRollbackError(
      'E_ALREADY_CURRENT',
      `nothing to roll back to: the service already runs ${wanted} (${shortTaskDefinition(current.taskDefinitionArn)}, container ${container})`,
    );
  }
  const active = await ins.revisions(current.family, 'ACTIVE');
  const candidates = active
    .filter((r) => r.taskDefinitionArn !== current.taskDefinitionArn)
    .slice(0, searchLimit);
  const seen: TaskDefinitionVersion[] = [current];
  for (let i = 0; i < candidates.length; i += DESCRIBE_CHUNK) {
    const chunk = candidates.slice(i, i + DESCRIBE_CHUNK);
    const versions = await Promise.all(chunk.map((r) => ins.version(r.taskDefinitionArn)));
    seen.push(...versions);
    const found = versions.find((v) => matches(v, container, to));
    if (found) {
      return {
        version: found,
        source: 'image-lookup',
        reason: `newest ACTIVE revision of ${current.family} whose container ${container} runs ${wanted}, reused as is`,
      };
    }
  }
  const truncated = active.length - 1 > candidates.length;
  const currentImage = current.containers.find((c) => c.container === container)?.image as string;
  const image =
    to.kind === 'image'
      ? to.image
      : withTagOrDigest(currentImage, to.kind === 'tag' ? { tag: to.tag } : { digest: to.digest });
  return {
    register: (base, allowed) => {
      if (!allowed) {
        throw new EcsRollbackError(
          'E_TAG_NOT_FOUND',
          `no ACTIVE revision of ${current.family} runs ${wanted} in container ${container}${
            truncated
              ? ` (searched the newest ${candidates.length}; raise --search-limit to search more)`
              : ''
          }. ${knownTags(seen, container)} Pass --register to register a new revision from ${shortTaskDefinition(
            current.taskDefinitionArn,
          )} with ${container}=${image}.`,
        );
      }
      return {
        ...base,
        source: 'image-lookup',
        target: {
          family: current.family,
          containers: current.containers.map((c) =>
            c.container === container ? { container, image, ...parseImage(image) } : c,
          ),
        },
        reason: `no ACTIVE revision of ${current.family} runs ${wanted}: a new revision will be registered from ${shortTaskDefinition(
          current.taskDefinitionArn,
        )} with ${container}=${image}`,
        willRegister: true,
        registerFrom: current.taskDefinitionArn,
        imageOverrides: { [container]: image },
      };
    },
  };
}

type PlanBase = Omit<RollbackPlan, 'target' | 'reason' | 'willRegister'>;

function matches(version: TaskDefinitionVersion, container: string, to: ImageTo): boolean {
  const c = version.containers.find((x) => x.container === container);
  if (!c) return false;
  if (to.kind === 'tag') return effectiveTag(c) === to.tag;
  if (to.kind === 'digest') return c.digest === to.digest;
  if (c.repository !== to.repository) return false;
  if (to.digest) return c.digest === to.digest;
  return effectiveTag(c) === to.tag;
}

function knownTags(versions: TaskDefinitionVersion[], container: string): string {
  const byTag = new Map<string, string[]>();
  for (const v of versions) {
    const c = v.containers.find((x) => x.container === container);
    if (!c) continue;
    const label = effectiveTag(c) ?? c.digest?.slice(0, 19) ?? c.image;
    const list = byTag.get(label) ?? [];
    list.push(String(v.revision));
    byTag.set(label, list);
  }
  if (byTag.size === 0) return 'No revision has that container.';
  const entries = [...byTag.entries()];
  const shown = entries
    .slice(0, 25)
    .map(
      ([tag, revs]) =>
        `${tag} (revision ${revs.slice(0, 4).join(', ')}${revs.length > 4 ? ', ...' : ''})`,
    );
  const more = entries.length > 25 ? `, and ${entries.length - 25} more` : '';
  return `Tags that exist: ${shown.join(', ')}${more}.`;
}

/**
 * The newest of `revisions` (newest first) whose images differ from `current`'s, described a
 * few at a time so a long family costs few sequential rounds and stops at the first match.
 */
async function newestDiffering(
  ins: ServiceInspector,
  revisions: readonly { taskDefinitionArn: string }[],
  current: TaskDefinitionVersion,
  container: string | undefined,
): Promise<TaskDefinitionVersion | undefined> {
  for (let i = 0; i < revisions.length; i += DESCRIBE_CHUNK) {
    const chunk = revisions.slice(i, i + DESCRIBE_CHUNK);
    const versions = await Promise.all(chunk.map((r) => ins.version(r.taskDefinitionArn)));
    const found = versions.find((v) => imagesDiffer(v, current, container));
    if (found) return found;
  }
  return undefined;
}

function imagesDiffer(
  a: TaskDefinitionVersion,
  b: TaskDefinitionVersion,
  container: string | undefined,
): boolean {
  const key = (v: TaskDefinitionVersion) =>
    v.containers
      .filter((c) => container === undefined || c.container === container)
      .map((c) => `${c.container}=${c.image}`)
      .sort()
      .join('\n');
  return key(a) !== key(b);
}

function onlyContainer(version: TaskDefinitionVersion): string {
  if (version.containers.length === 1)
    return (version.containers[0] as ContainerImageInfo).container;
  throw new EcsRollbackError(
    'E_CONTAINER',
    `${shortTaskDefinition(version.taskDefinitionArn)} has ${version.containers.length} containers (${version.containers
      .map((c) => c.container)
      .join(', ')}): pass --container to say whose image the tag or digest is`,
  );
}

function checkContainer(version: TaskDefinitionVersion, container: string): void {
  if (!version.containers.some((c) => c.container === container)) {
    throw new EcsRollbackError(
      'E_CONTAINER',
      `container "${container}" is not in ${shortTaskDefinition(version.taskDefinitionArn)}; its containers are ${version.containers
        .map((c) => c.container)
        .join(', ')}`,
    );
  }
}

function alreadyCurrent(ref: ServiceRef, current: TaskDefinitionVersion): EcsRollbackError {
  return new EcsRollbackError(
    'E_ALREADY_CURRENT',
    `nothing to roll back to: service ${ref.service} already runs ${shortTaskDefinition(current.taskDefinitionArn)}`,
  );
}

function shortId(serviceDeploymentArn: string): string {
  return serviceDeploymentArn.slice(serviceDeploymentArn.lastIndexOf('/') + 1);
}
