import { createHash } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { Tag } from '@aws-sdk/client-ec2';
import { invalidInput } from './errors.ts';

/** Tag naming who created a rule; its presence marks a rule as this tool's. */
export const OWNER_TAG = 'sg-ip-window:owner';
/** Tag with the ISO time after which a rule is a leftover (latest expiry of its holders). */
export const EXPIRES_TAG = 'sg-ip-window:expires-at';
/** Prefix of the per-holder tags: `sg-ip-window:hold:<owner>` = that holder's expiry. */
export const HOLD_TAG_PREFIX = 'sg-ip-window:hold:';

// Tag keys are at most 128 characters of letters, digits, spaces and `_.:/=+-@`.
const MAX_OWNER = 128 - HOLD_TAG_PREFIX.length;
const OWNER_CHARS = /^[A-Za-z0-9 _.:/=+\-@]+$/;

/** Validates an owner given by the user; it becomes part of a tag key. */
export function checkOwner(owner: string, what = 'owner'): string {
  const trimmed = owner.trim();
  if (trimmed === '' || trimmed.length > MAX_OWNER || !OWNER_CHARS.test(trimmed)) {
    throw invalidInput(
      `${what}: "${owner}" must be 1-${MAX_OWNER} characters of letters, digits, spaces and _.:/=+-@`,
    );
  }
  return trimmed;
}

function sanitizeOwner(raw: string): string {
  const clean = raw.replace(/[^A-Za-z0-9 _.:/=+\-@]/g, '-');
  if (clean.length <= MAX_OWNER) return clean;
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 10);
  return `${clean.slice(0, MAX_OWNER - 11)}+${hash}`;
}

/**
 * The owner used when none is given: stable for the whole job or machine, so a later
 * `close` (another process, the action's post step) finds the same hold. In GitHub Actions
 * it names the run, attempt, job and runner (matrix legs run on different runners);
 * elsewhere the user and host.
 */
export function defaultOwner(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GITHUB_RUN_ID) {
    const parts = [
      `gh:${env.GITHUB_REPOSITORY ?? 'repo'}`,
      `run/${env.GITHUB_RUN_ID}.${env.GITHUB_RUN_ATTEMPT ?? '1'}`,
      env.GITHUB_JOB ?? 'job',
      env.RUNNER_NAME ?? 'runner',
    ];
    return sanitizeOwner(parts.join('/'));
  }
  let user = 'user';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the host alone still names the holder.
  }
  return sanitizeOwner(`${user}@${hostname()}`);
}

/**
 * {@link defaultOwner} with `suffix` appended (`root@build-1/pid-4242`), for a holder that
 * opens and closes in one place (`withWindow`, `sg-ip-window exec`, one action step): two such
 * holders on one machine or in one job must not share a hold, or the first to close would
 * revoke the rule the other still uses.
 *
 * @example
 * ```ts
 * await openWindow({ groupIds, ports: 22, owner: distinctOwner(`deploy-${process.pid}`) });
 * ```
 */
export function distinctOwner(suffix: string, env: NodeJS.ProcessEnv = process.env): string {
  return sanitizeOwner(`${defaultOwner(env)}/${suffix}`);
}

let processHolds = 0;

/** A {@link distinctOwner} unique to this call within this process: `.../pid-4242`, `.../pid-4242.2`. */
export function processOwner(env: NodeJS.ProcessEnv = process.env): string {
  processHolds++;
  return distinctOwner(`pid-${process.pid}${processHolds > 1 ? `.${processHolds}` : ''}`, env);
}

/** The hold tag key of `owner`. */
export function holdKey(owner: string): string {
  return `${HOLD_TAG_PREFIX}${owner}`;
}

// Rule descriptions allow a-zA-Z0-9, space and ._-:/()#,@[]+=&;{}!$* (255 characters).
const DESCRIPTION_CHARS = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;

/** Validates a user-given rule description. */
export function checkDescription(description: string): string {
  if (description.length > 255 || !DESCRIPTION_CHARS.test(description)) {
    throw invalidInput(
      `description: "${description}" must be at most 255 characters of letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*`,
    );
  }
  return description;
}

/** The readable description of a rule this tool creates. */
export function defaultDescription(owner: string, expiresAt: Date): string {
  return `sg-ip-window: ${owner} until ${expiresAt.toISOString()}`
    .replace(/[^A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]/g, '-')
    .slice(0, 255);
}

/** What the tags of a rule say about it. */
export interface RuleTagState {
  /** True when the rule carries this tool's owner tag (only such rules are ever touched). */
  ours: boolean;
  owner: string | undefined;
  expiresAt: Date | undefined;
  /** Holders and their expiry (invalid times are kept as `undefined`: never counted expired). */
  holds: { owner: string; expiresAt: Date | undefined }[];
}

function parseTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Reads this tool's tags from a rule's tag list. */
export function readRuleTags(tags: readonly Tag[] | undefined): RuleTagState {
  const list = tags ?? [];
  const owner = list.find((t) => t.Key === OWNER_TAG)?.Value;
  const expires = list.find((t) => t.Key === EXPIRES_TAG)?.Value;
  return {
    ours: owner !== undefined,
    owner,
    expiresAt: parseTime(expires),
    holds: list
      .filter((t) => t.Key?.startsWith(HOLD_TAG_PREFIX))
      .map((t) => ({
        owner: (t.Key as string).slice(HOLD_TAG_PREFIX.length),
        expiresAt: parseTime(t.Value),
      })),
  };
}

/** Holders other than `except` whose hold has not expired at `now` (unreadable = live). */
export function liveHolds(state: RuleTagState, now: number, except?: string): string[] {
  return state.holds
    .filter((h) => h.owner !== except)
    .filter((h) => h.expiresAt === undefined || h.expiresAt.getTime() > now)
    .map((h) => h.owner);
}
