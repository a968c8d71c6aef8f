import type { ECSClient } from '@aws-sdk/client-ecs';
import { chunk } from '@berth/internal';
import { withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import { effectiveTag, parseImage, withTagOrDigest } from './image.ts';
import { describeChecks, type ImageCheck, ImageChecker, imageGone } from './image-check.ts';
import { checkServiceRef } from './service.ts';
import { ServiceInspector } from './service-inspector.ts';
import { describeRollbackTo, parseRollbackTo, type RollbackTo } from './target.ts';
import {
  parseTaskDefinitionArn,
  parseTaskDefinitionId,
  shortTaskDefinition,
} from './task-definitions.ts';
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
  /**
   * Do not ask ECR whether the target's images still exist (default: check every ECR image
   * with ecr:DescribeImages before anything changes).
   */
  skipImageCheck?: boolean;
  /**
   * Allow a task definition (`family:revision` or ARN) of another family than the service's,
   * or an ARN of another account or region (refused by default: almost always a typo).
   */
  allowOtherFamily?: boolean;
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
  /**
   * What ECR said about each image of the target (absent with `skipImageCheck`). Revisions
   * whose images are gone are never chosen; `tag-moved`, `unknown` and `not-checked` are
   * allowed and explained in `warnings`.
   */
  imageChecks?: ImageCheck[];
  /** Things to know before acting: a tag that moved, an image that could not be checked. */
  warnings?: string[];
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
 * Whether a candidate revision can run (its images exist); records the ones it rejects so
 * messages can say which revisions were passed over and why.
 */
interface Usable {
  (version: TaskDefinitionVersion): Promise<boolean>;
  rejected: string[];
}

function usableFilter(checker: ImageChecker | undefined): Usable {
  const rejected: string[] = [];
  const fn = async (version: TaskDefinitionVersion) => {
    if (!checker) return true;
    const gone = (await checker.check(version)).filter((c) => imageGone(c.state));
    if (gone.length === 0) return true;
    rejected.push(`${shortTaskDefinition(version.taskDefinitionArn)} (${describeChecks(gone)})`);
    return false;
  };
  return Object.assign(fn, { rejected });
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
    return plan(ecs, options.skipImageCheck ? undefined : new ImageChecker(options));
  });

  async function plan(ecs: ECSClient, checker: ImageChecker | undefined): Promise<RollbackPlan> {
    const ins = new ServiceInspector(ecs, { cluster: options.cluster, service: options.service });
    const service = await ins.service();
    // Digests ECS resolved tell a moved tag from the image that ran, and find digest targets.
    if (checker || to.kind === 'digest' || (to.kind === 'image' && to.digest)) await ins.digests();
    const current = await ins.current();
    const usable = usableFilter(checker);
    // Only a tag, digest or image names a container's image; a revision or ARN names the whole
    // task definition, whatever its sidecars.
    const namesImage = to.kind === 'tag' || to.kind === 'digest' || to.kind === 'image';
    const container = options.container ?? (namesImage ? onlyContainer(current) : undefined);
    if (container !== undefined) checkContainer(current, container);

    const resolved =
      to.kind === 'previous'
        ? await resolvePrevious(ins, current, container, options.register === true, usable)
        : to.kind === 'revision' || to.kind === 'task-definition'
          ? await resolveExplicit(ins, to, current, options.allowOtherFamily === true)
          : await resolveImage(ins, to, current, container as string, searchLimit);

    const common = {
      cluster: options.cluster,
      service: options.service,
      serviceArn: service.serviceArn ?? options.service,
      to: options.to?.trim() ?? 'previous',
      current,
    };
    if ('register' in resolved) {
      const planned = resolved.register(
        { ...common, source: 'image-lookup' },
        options.register === true,
      );
      return withImageChecks(planned, checker, ins, usable.rejected);
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
    if (to.kind !== 'previous' && checker) {
      const gone = (await checker.check(target)).filter((c) => imageGone(c.state));
      if (gone.length) throw await imagesMissing(ins, current, target, checker, gone);
    }
    if (target.status !== 'ACTIVE') {
      if (!options.register) {
        throw new EcsRollbackError(
          'E_TARGET_INACTIVE',
          `${shortTaskDefinition(target.taskDefinitionArn)} is ${target.status} (deregistered) and ECS cannot run it: pass --register to register a copy of it as a new revision, or pick an ACTIVE revision (see ecs-rollback history)`,
        );
      }
      return withImageChecks(
        {
          ...base,
          target: { family: target.family, containers: target.containers },
          reason: `${resolved.reason}; ${shortTaskDefinition(target.taskDefinitionArn)} is ${target.status}, so a copy of it will be registered as a new revision`,
          willRegister: true,
          registerFrom: target.taskDefinitionArn,
        },
        checker,
        ins,
        usable.rejected,
      );
    }
    return withImageChecks(
      { ...base, target, reason: resolved.reason, willRegister: false },
      checker,
      ins,
      usable.rejected,
    );
  }
}

/**
 * Adds the target's image checks and warnings to a plan; refuses a plan whose target images
 * are gone (a new revision with a tag that does not exist, say).
 */
async function withImageChecks(
  plan: RollbackPlan,
  checker: ImageChecker | undefined,
  ins: ServiceInspector,
  rejected: readonly string[],
): Promise<RollbackPlan> {
  const warnings: string[] = [];
  if (rejected.length) {
    warnings.push(`passed over because their images are gone: ${rejected.join('; ')}`);
  }
  if (!checker) return warnings.length ? { ...plan, warnings } : plan;
  const checks = await checker.check(plan.target);
  const gone = checks.filter((c) => imageGone(c.state));
  if (gone.length) {
    throw await imagesMissing(ins, plan.current, plan.target, checker, gone);
  }
  for (const c of checks) {
    if (c.state === 'tag-moved') {
      const ran = plan.target.containers.find((x) => x.container === c.container)?.digest;
      warnings.push(
        `${c.container}: ${c.detail}: the rollback will run the image the tag points at now${
          ran
            ? `; to run exactly what ran before: --to ${parseImage(c.image).repository}@${ran} --register`
            : ''
        }`,
      );
    } else if (c.state === 'unknown') {
      warnings.push(`${c.container}=${c.image}: ${c.detail}`);
    }
  }
  return { ...plan, imageChecks: checks, ...(warnings.length ? { warnings } : {}) };
}

/** The error for a target whose images are gone, naming revisions whose images do exist. */
async function imagesMissing(
  ins: ServiceInspector,
  current: TaskDefinitionVersion,
  target: { taskDefinitionArn?: string; family: string },
  checker: ImageChecker,
  gone: ImageCheck[],
): Promise<EcsRollbackError> {
  const label = target.taskDefinitionArn
    ? shortTaskDefinition(target.taskDefinitionArn)
    : `a new revision of ${target.family}`;
  const what = describeChecks(gone);
  const working: string[] = [];
  const active = (await ins.revisions(current.family, 'ACTIVE')).filter(
    (r) =>
      r.taskDefinitionArn !== current.taskDefinitionArn &&
      r.taskDefinitionArn !== target.taskDefinitionArn,
  );
  for (const r of active.slice(0, WORKING_SEARCH)) {
    const v = await ins.version(r.taskDefinitionArn);
    const checks = await checker.check(v);
    if (!checks.some((c) => imageGone(c.state)))
      working.push(shortTaskDefinition(v.taskDefinitionArn));
    if (working.length >= 5) break;
  }
  const alternatives = working.length
    ? `Revisions whose images exist: ${working.join(', ')} (--to <revision>).`
    : `No other ACTIVE revision of ${current.family} among the newest ${Math.min(active.length, WORKING_SEARCH)} has all its images.`;
  return new EcsRollbackError(
    'E_IMAGE_MISSING',
    `cannot roll back to ${label}: its image is gone from the registry, so every task would fail with CannotPullContainerError: ${what}. ${alternatives} Pass --skip-image-check to roll back anyway.`,
  );
}

const WORKING_SEARCH = 10;

async function resolvePrevious(
  ins: ServiceInspector,
  current: TaskDefinitionVersion,
  container: string | undefined,
  register: boolean,
  usable: Usable,
): Promise<Resolved> {
  const history = await ins.deployments(['SUCCESSFUL']);
  let note: string;
  if (history.available) {
    const seen = new Set<string>([current.taskDefinitionArn]);
    for (const d of history.deployments) {
      if (d.status !== 'SUCCESSFUL' || !d.taskDefinitionArn || seen.has(d.taskDefinitionArn)) {
        continue;
      }
      seen.add(d.taskDefinitionArn);
      const version = await ins.version(d.taskDefinitionArn);
      if (!(await usable(version))) continue;
      const when = d.at ? `, finished ${d.at.toISOString()}` : '';
      const passed = usable.rejected.length ? ' whose images still exist' : '';
      return {
        version,
        source: 'service-deployments',
        reason: `last successful deployment before the current one${passed} (${shortId(d.serviceDeploymentArn)}${when})`,
      };
    }
    note = usable.rejected.length
      ? 'the service deployment history (kept 90 days) has no successful deployment of another revision whose images still exist'
      : 'the service deployment history (kept 90 days) has no successful deployment of another revision';
  } else {
    note = history.reason;
  }

  const active = await ins.revisions(current.family, 'ACTIVE');
  const older = active.filter((r) => r.revision < current.revision);
  const which = container ? `the image of ${container}` : 'images';
  const olderActive = await newestDiffering(ins, older, current, container, usable);
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
    const olderInactive = await newestDiffering(ins, inactive, current, container, usable);
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
  const gone = usable.rejected.length
    ? `; passed over because their images are gone from the registry: ${usable.rejected.join('; ')} (--skip-image-check to roll back to one anyway)`
    : '';
  throw new EcsRollbackError(
    'E_NO_PREVIOUS',
    `nothing to roll back to: no ACTIVE revision of ${current.family} older than ${current.revision} runs different images${usable.rejected.length ? ' that still exist' : ''} (${older.length} checked; ${note})${hint}${gone}`,
  );
}

async function resolveExplicit(
  ins: ServiceInspector,
  to: Extract<RollbackTo, { kind: 'revision' | 'task-definition' }>,
  current: TaskDefinitionVersion,
  allowOtherFamily: boolean,
): Promise<Resolved> {
  const id = to.kind === 'revision' ? `${current.family}:${to.revision}` : to.id;
  if (to.kind === 'task-definition' && !allowOtherFamily) checkSameFamily(to.id, current);
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
  for (const batch of chunk(candidates, DESCRIBE_CHUNK)) {
    const versions = await Promise.all(batch.map((r) => ins.version(r.taskDefinitionArn)));
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
  usable: Usable,
): Promise<TaskDefinitionVersion | undefined> {
  for (const batch of chunk(revisions, DESCRIBE_CHUNK)) {
    const versions = await Promise.all(batch.map((r) => ins.version(r.taskDefinitionArn)));
    for (const v of versions) {
      if (imagesDiffer(v, current, container) && (await usable(v))) return v;
    }
  }
  return undefined;
}

/**
 * Refuses a task definition of another family, account or region than the service's: a
 * rollback to it is a different application, almost always a slip of the clipboard.
 */
function checkSameFamily(id: string, current: TaskDefinitionVersion): void {
  const wanted = parseTaskDefinitionArn(id);
  const have = parseTaskDefinitionArn(current.taskDefinitionArn);
  const problems: string[] = [];
  if (wanted && have) {
    if (wanted.account && have.account && wanted.account !== have.account) {
      problems.push(`account ${wanted.account}, not ${have.account}`);
    }
    if (wanted.region && have.region && wanted.region !== have.region) {
      problems.push(`region ${wanted.region}, not ${have.region}`);
    }
  }
  const family = parseTaskDefinitionId(id)?.family;
  if (family && family !== current.family) {
    problems.push(`family ${family}, not the service's ${current.family}`);
  }
  if (problems.length) {
    throw new EcsRollbackError(
      'E_INPUT',
      `--to ${id} is a task definition of another ${problems.join(' and ')}: pass --allow-other-family if the service should really run it`,
    );
  }
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
