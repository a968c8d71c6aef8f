import type { EC2Client, Tag } from '@aws-sdk/client-ec2';
import {
  type AwsClientOptions,
  abortable,
  type Clock,
  isAwsError,
  isBerthError,
  isLostResponse,
  mapLimit,
  parseDuration,
  quoteInput,
  systemClock,
} from '@berth/internal';
import { type CloseResult, closeRules, type RuleRef } from './close-rules.ts';
import { type DetectPublicIpOptions, detectPublicIp } from './detect-public-ip.ts';
import {
  authorizeRule,
  awsFailure,
  checkGroupIds,
  findIdenticalRule,
  isRuleGone,
  leaseEc2,
  type RuleSpec,
  rulesTagged,
  type SgIpWindowClients,
  sameRule,
  tagRule,
} from './ec2-rules.ts';
import { invalidInput, SgIpWindowError } from './errors.ts';
import {
  hostCidr,
  mappedIpv4,
  nonHostReason,
  type ParsedCidr,
  parseCidr,
  parseIpAddress,
} from './ip-address.ts';
import {
  type PortInput,
  type PortRange,
  parsePorts,
  parseProtocol,
  type WindowProtocol,
} from './ports.ts';
import {
  checkDescription,
  checkOwner,
  defaultDescription,
  defaultOwner,
  EXPIRES_TAG,
  holdKey,
  OWNER_TAG,
  readRuleTags,
} from './tags.ts';

/** Options of {@link openWindow}. */
export interface OpenWindowOptions extends AwsClientOptions {
  /** Security groups to open (each gets one rule per port range). */
  groupIds: readonly string[];
  /** A port, a range (`"8000-8100"`), or several. */
  ports: PortInput | readonly PortInput[];
  /** `tcp` (default) or `udp`. */
  protocol?: WindowProtocol;
  /** The address to admit, or `"auto"` (default) to detect this machine's public address. */
  ip?: string;
  /**
   * A block to admit instead of one host; wider than `/32` or `/128` needs `allowWide`, wider
   * than `/16` (IPv4) or `/48` (IPv6) also `confirmWide`.
   */
  cidr?: string;
  /**
   * Allows a `cidr` wider than one host, up to `/16` (IPv4) or `/48` (IPv6): an office or VPN
   * range. `0.0.0.0/0` and `::/0` are refused regardless.
   */
  allowWide?: boolean;
  /**
   * Confirms a `cidr` wider than `/16` or `/48`: must repeat the block exactly as given in
   * `cidr` (e.g. `"10.0.0.0/8"`), so a typo'd prefix cannot open a port to a large part of the
   * internet. Needs `allowWide` too.
   */
  confirmWide?: string;
  /**
   * Aborts the opening: calls to AWS in flight end at once, no new ones start, and the rules
   * this call opened (also ones AWS made without an answer arriving, found by their tags) are
   * closed again with fresh calls; then `E_INTERRUPTED` is thrown.
   */
  signal?: AbortSignal;
  /** Declared lifetime, in ms or as a duration (`"15m"`, default `"1h"`): after it, `sweep` may remove the rule. */
  ttl?: number | string;
  /** Who holds the window (tag `sg-ip-window:owner`); default {@link defaultOwner}. */
  owner?: string;
  /** Rule description; default `sg-ip-window: <owner> until <time>`. */
  description?: string;
  /** IP discovery settings used when `ip` is `"auto"`. */
  detect?: DetectPublicIpOptions;
  clients?: SgIpWindowClients;
  clock?: Clock;
  /** Environment read for the default owner (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * How the window got each rule: `created` by this call, `joined` (an identical rule of this
 * tool existed: we added our hold), or `existing` (an identical rule not made by this tool
 * already admits the address; it is never touched, and not closed).
 */
export type WindowRuleMode = 'created' | 'joined' | 'existing';

/** One rule of a window. */
export interface WindowRule {
  groupId: string;
  ruleId: string;
  protocol: WindowProtocol;
  fromPort: number;
  toPort: number;
  cidr: string;
  mode: WindowRuleMode;
}

/** An open window: the rules admitting this machine, and how to close them. */
export interface Window {
  /** Ids of the rules `close()` acts on (created and joined; not `existing` ones). */
  ruleIds: string[];
  rules: WindowRule[];
  /** The admitted address (the network address when a wide `cidr` was given). */
  ip: string;
  cidr: string;
  /** The IP source that answered, when the address was detected. */
  source?: string;
  owner: string;
  expiresAt: Date;
  /** Releases this window's hold and revokes rules no one else holds; safe to call twice. */
  close(): Promise<CloseResult>;
}

/** A validated request: everything checked before any network call. */
interface Plan {
  groupIds: string[];
  ports: PortRange[];
  protocol: WindowProtocol;
  target: { kind: 'auto' } | { kind: 'cidr'; cidr: ParsedCidr };
  ttlMs: number;
  owner: string;
  description: string | undefined;
}

const MAX_TTL_MS = 7 * 86_400_000;

/** The widest block `allowWide` alone admits: an office or VPN range, not a provider's. */
export const WIDE_LIMIT = { 4: 16, 6: 48 } as const;

function parseTtl(ttl: number | string | undefined): number {
  const ms =
    ttl === undefined ? 3_600_000 : typeof ttl === 'number' ? ttl : parseDuration(ttl, 'ttl');
  if (!Number.isFinite(ms) || ms < 1000 || ms > MAX_TTL_MS) {
    throw invalidInput(
      `ttl: ${typeof ttl === 'string' ? `"${ttl}"` : `${ttl} ms`} must be between 1s and 7d`,
    );
  }
  return ms;
}

function planTarget(options: OpenWindowOptions): Plan['target'] {
  const ip = options.ip?.trim();
  if (options.cidr !== undefined && ip !== undefined && ip !== '' && ip !== 'auto') {
    throw invalidInput('ip and cidr were both given: pass one (cidr admits a block, ip one host)');
  }
  if (options.cidr !== undefined) {
    let cidr: ParsedCidr;
    try {
      cidr = parseCidr(options.cidr);
    } catch (error) {
      throw invalidInput(`cidr: ${(error as Error).message}`);
    }
    const mapped = mappedIpv4({ address: cidr.address, family: cidr.family });
    if (mapped !== undefined) {
      throw invalidInput(
        `cidr: ${cidr.cidr} is an IPv4-mapped IPv6 block, which AWS refuses; give the IPv4 block (${mapped}/${Math.max(0, cidr.prefix - 96)})`,
      );
    }
    if (cidr.prefix === 0) {
      throw new SgIpWindowError(
        'E_WIDE_CIDR',
        `cidr: ${cidr.cidr} would open the port to the whole internet; this is always refused`,
        { exitCode: 2 },
      );
    }
    const host = cidr.prefix === (cidr.family === 4 ? 32 : 128);
    if (!host && options.allowWide !== true) {
      throw new SgIpWindowError(
        'E_WIDE_CIDR',
        `cidr: ${cidr.cidr} admits more than one host; pass allowWide: true (--allow-wide) if that is intended`,
        { exitCode: 2 },
      );
    }
    const limit = WIDE_LIMIT[cidr.family];
    if (cidr.prefix < limit) {
      const confirmed = options.confirmWide?.trim();
      let same = false;
      try {
        same = confirmed !== undefined && parseCidr(confirmed).cidr === cidr.cidr;
      } catch {
        // not a CIDR: not the same one
      }
      if (!same) {
        throw new SgIpWindowError(
          'E_WIDE_CIDR',
          `cidr: ${cidr.cidr} is wider than /${limit}` +
            `${confirmed === undefined ? '' : ` and ${quoteInput(confirmed)} does not confirm it`}; ` +
            `--allow-wide admits at most a /${limit}. If this block is really meant, confirm it by repeating it: --confirm-wide ${cidr.cidr} (confirmWide)`,
          { exitCode: 2 },
        );
      }
    }
    if (host) {
      const reason = nonHostReason({ address: cidr.address, family: cidr.family });
      if (reason) throw invalidInput(`cidr: ${cidr.address} is not a host address (${reason})`);
    }
    return { kind: 'cidr', cidr };
  }
  if (ip === undefined || ip === '' || ip === 'auto') return { kind: 'auto' };
  const parsed = parseIpAddress(ip);
  if (!parsed)
    throw invalidInput(`ip: ${quoteInput(ip)} is not an IPv4 or IPv6 address (or "auto")`);
  const mapped = mappedIpv4(parsed);
  if (mapped !== undefined) {
    throw invalidInput(
      `ip: ${parsed.address} is an IPv4-mapped IPv6 address, which AWS refuses in a rule; use the IPv4 address ${mapped}`,
    );
  }
  const reason = nonHostReason(parsed);
  if (reason) throw invalidInput(`ip: ${parsed.address} is not a host address (${reason})`);
  return { kind: 'cidr', cidr: hostCidr(parsed) };
}

/** Validates every option of {@link openWindow}; throws `E_INPUT`/`E_WIDE_CIDR`. */
function plan(options: OpenWindowOptions): Plan {
  return {
    groupIds: checkGroupIds(options.groupIds),
    ports: parsePorts(options.ports),
    protocol: parseProtocol(options.protocol),
    target: planTarget(options),
    ttlMs: parseTtl(options.ttl),
    owner: options.owner === undefined ? defaultOwner(options.env) : checkOwner(options.owner),
    description:
      options.description === undefined ? undefined : checkDescription(options.description),
  };
}

async function acquire(
  ec2: EC2Client,
  spec: RuleSpec,
  owner: string,
  expiresAt: Date,
  description: string,
): Promise<WindowRule> {
  const base = {
    groupId: spec.groupId,
    protocol: spec.protocol,
    fromPort: spec.ports.from,
    toPort: spec.ports.to,
    cidr: spec.cidr,
  };
  const expires = expiresAt.toISOString();
  // A rule can vanish between our Duplicate and our tagging (its last holder closing): retry.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const ruleId = await authorizeRule(ec2, spec, description, [
        { Key: OWNER_TAG, Value: owner },
        { Key: EXPIRES_TAG, Value: expires },
        { Key: holdKey(owner), Value: expires },
      ]);
      return { ...base, ruleId, mode: 'created' };
    } catch (error) {
      if (isLostResponse(error) && (error as Error).name !== 'AbortError') {
        // AWS may have made the rule without the answer arriving: it carries our hold.
        const made = await rulesTagged(ec2, spec.groupId, [
          { Key: holdKey(owner), Value: expires },
        ]).catch(() => []);
        const rule = made.find((r) => sameRule(r, spec));
        if (rule?.SecurityGroupRuleId)
          return { ...base, ruleId: rule.SecurityGroupRuleId, mode: 'created' };
      }
      if (!isAwsError(error, 'InvalidPermission.Duplicate')) {
        throw awsFailure(error, `open port ${spec.ports.from} for ${spec.cidr}`, spec.groupId);
      }
    }
    let existing: Awaited<ReturnType<typeof findIdenticalRule>>;
    try {
      existing = await findIdenticalRule(ec2, spec);
    } catch (error) {
      throw awsFailure(error, 'look up the existing identical rule', spec.groupId);
    }
    if (!existing?.SecurityGroupRuleId) continue;
    const ruleId = existing.SecurityGroupRuleId;
    const state = readRuleTags(existing.Tags);
    if (!state.ours) return { ...base, ruleId, mode: 'existing' };
    const tags: Tag[] = [{ Key: holdKey(owner), Value: expires }];
    if (!state.expiresAt || state.expiresAt < expiresAt)
      tags.push({ Key: EXPIRES_TAG, Value: expires });
    try {
      await tagRule(ec2, ruleId, tags);
      return { ...base, ruleId, mode: 'joined' };
    } catch (error) {
      if (!isRuleGone(error)) throw awsFailure(error, `join rule ${ruleId}`, spec.groupId);
    }
  }
  throw new SgIpWindowError(
    'E_AWS',
    `the rule for ${spec.cidr} port ${spec.ports.from} in ${spec.groupId} kept appearing and disappearing; try again`,
    { retryable: true },
  );
}

/**
 * Opens security groups for exactly one host (this machine's public address by default):
 * one tagged rule per group and port range. All or nothing: if any rule cannot be opened,
 * the rules this call opened are closed again before the error is thrown.
 *
 * @throws SgIpWindowError `E_INPUT` / `E_WIDE_CIDR` (nothing called),
 *   `E_IP_DETECTION_FAILED`, `E_GROUP_NOT_FOUND`, `E_RULE_LIMIT`, `E_INTERRUPTED`, `E_AWS`.
 * @example
 * ```ts
 * const window = await openWindow({ groupIds: ['sg-0123456789abcdef0'], ports: 22, ttl: '15m' });
 * try {
 *   // ssh to the instance
 * } finally {
 *   await window.close();
 * }
 * ```
 */
export async function openWindow(options: OpenWindowOptions): Promise<Window> {
  const p = plan(options);
  const clock = options.clock ?? systemClock;
  const signal = options.signal;
  let cidr: ParsedCidr;
  let source: string | undefined;
  if (p.target.kind === 'auto') {
    let detected: Awaited<ReturnType<typeof detectPublicIp>>;
    try {
      detected = await detectPublicIp({
        clock,
        ...(signal ? { signal } : {}),
        ...options.detect,
      });
    } catch (error) {
      if (signal?.aborted)
        throw interrupted(signal, 'before the window was open; nothing was opened');
      throw error;
    }
    cidr = hostCidr({ address: detected.ip, family: detected.family });
    source = detected.source;
  } else {
    cidr = p.target.cidr;
  }
  if (signal?.aborted) throw interrupted(signal, 'before the window was open; nothing was opened');
  // Built here unless injected; released when the window is closed (or the opening fails).
  const { ec2, release } = await leaseEc2(options);
  // Forward work stops on the signal; closing and rollback use the plain client.
  const forward = abortable(ec2, signal);
  const expiresAt = new Date(clock.now() + p.ttlMs);
  const description = p.description ?? defaultDescription(p.owner, expiresAt);
  const specs: RuleSpec[] = p.groupIds.flatMap((groupId) =>
    p.ports.map((ports) => ({
      groupId,
      protocol: p.protocol,
      ports,
      cidr: cidr.cidr,
      family: cidr.family,
    })),
  );

  const acquired: WindowRule[] = [];
  const failures: SgIpWindowError[] = [];
  await mapLimit(specs, 4, async (spec) => {
    // Once one rule failed (or a signal came), starting more would only add rules to roll back.
    if (failures.length > 0 || signal?.aborted) return;
    try {
      acquired.push(await acquire(forward, spec, p.owner, expiresAt, description));
    } catch (error) {
      failures.push(awsFailure(error, 'open the window', spec.groupId));
    }
  });

  const closeOptions = { clients: { ec2 }, owner: p.owner, clock };
  const held = (): RuleRef[] =>
    acquired
      .filter((r) => r.mode !== 'existing')
      .map((r) => ({ groupId: r.groupId, ruleId: r.ruleId }));

  if (failures.length > 0 || signal?.aborted) {
    let rollback: string;
    try {
      rollback = await rollBack(ec2, p.groupIds, held(), p.owner, expiresAt, closeOptions);
    } finally {
      release();
    }
    if (signal?.aborted) throw interrupted(signal, `while opening the window${rollback}`);
    const first = failures[0] as SgIpWindowError;
    throw new SgIpWindowError(first.code, `${first.message}${rollback}`, {
      cause: first.cause ?? first,
      retryable: first.retryable,
      exitCode: first.exitCode,
    });
  }

  const order = (r: WindowRule) =>
    specs.findIndex(
      (s) => s.groupId === r.groupId && s.ports.from === r.fromPort && s.ports.to === r.toPort,
    );
  acquired.sort((a, b) => order(a) - order(b));
  let closing: Promise<CloseResult> | undefined;
  return {
    ruleIds: held().map((r) => r.ruleId),
    rules: acquired,
    ip: cidr.address,
    cidr: cidr.cidr,
    ...(source === undefined ? {} : { source }),
    owner: p.owner,
    expiresAt,
    close() {
      closing ??= closeRules({ ...closeOptions, rules: held() }).then(
        (result) => {
          release();
          return result;
        },
        (error: unknown) => {
          closing = undefined;
          throw error;
        },
      );
      return closing;
    },
  };
}

/**
 * Closes what a failed or interrupted opening may have left: the rules it knows it got, and
 * any rule carrying its own hold tag (owner and expiry of this call), which is how a rule
 * AWS made without the answer arriving (a reset connection, a timeout, an abort) is found.
 * Returns the end of the message: what was verified.
 */
async function rollBack(
  ec2: EC2Client,
  groupIds: readonly string[],
  known: RuleRef[],
  owner: string,
  expiresAt: Date,
  closeOptions: { clients: { ec2: EC2Client }; owner: string; clock: Clock },
): Promise<string> {
  const rules = [...known];
  const unchecked: string[] = [];
  const mark: Tag[] = [{ Key: holdKey(owner), Value: expiresAt.toISOString() }];
  await mapLimit([...groupIds], 4, async (groupId) => {
    try {
      for (const r of await rulesTagged(ec2, groupId, mark)) {
        const ruleId = r.SecurityGroupRuleId;
        if (ruleId && !rules.some((k) => k.ruleId === ruleId)) rules.push({ groupId, ruleId });
      }
    } catch {
      unchecked.push(groupId);
    }
  });
  let result: CloseResult;
  try {
    result = await closeRules({ ...closeOptions, rules });
  } catch (error) {
    return `; rolling back also failed, still open: ${(error as Error).message}`;
  }
  if (unchecked.length > 0) {
    const closed = result.revoked.map((r) => r.ruleId).join(', ') || 'none';
    return `; closed again: ${closed}; could not check ${unchecked.join(', ')} for rules AWS may have made without answering: run \`sg-ip-window sweep --group <sg-id>\` after ${expiresAt.toISOString()}`;
  }
  return '; nothing was left open';
}

function interrupted(signal: AbortSignal, what: string): SgIpWindowError {
  const reason = signal.reason as unknown;
  const why = reason instanceof Error ? reason.message : 'interrupted';
  return new SgIpWindowError('E_INTERRUPTED', `${why} ${what}`, {
    cause: reason,
    exitCode: isBerthError(reason) ? reason.exitCode : 1,
  });
}
