import type { EC2Client, Tag } from '@aws-sdk/client-ec2';
import {
  type AwsClientOptions,
  type Clock,
  isAwsError,
  mapLimit,
  parseDuration,
  systemClock,
} from '@berth/internal';
import { type CloseResult, closeRules, type RuleRef } from './close-rules.ts';
import { type DetectPublicIpOptions, detectPublicIp } from './detect-public-ip.ts';
import {
  authorizeRule,
  awsFailure,
  checkGroupIds,
  ec2Client,
  findIdenticalRule,
  isRuleGone,
  type RuleSpec,
  type SgIpWindowClients,
  tagRule,
} from './ec2-rules.ts';
import { invalidInput, SgIpWindowError } from './errors.ts';
import {
  hostCidr,
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
  /** A block to admit instead of one host; wider than `/32` or `/128` needs `allowWide`. */
  cidr?: string;
  /** Allows a `cidr` wider than one host. `0.0.0.0/0` and `::/0` are refused regardless. */
  allowWide?: boolean;
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
    if (host) {
      const reason = nonHostReason({ address: cidr.address, family: cidr.family });
      if (reason) throw invalidInput(`cidr: ${cidr.address} is not a host address (${reason})`);
    }
    return { kind: 'cidr', cidr };
  }
  if (ip === undefined || ip === '' || ip === 'auto') return { kind: 'auto' };
  const parsed = parseIpAddress(ip);
  if (!parsed) throw invalidInput(`ip: "${ip}" is not an IPv4 or IPv6 address (or "auto")`);
  const reason = nonHostReason(parsed);
  if (reason) throw invalidInput(`ip: ${parsed.address} is not a host address (${reason})`);
  return { kind: 'cidr', cidr: hostCidr(parsed) };
}

/** Validates every option of {@link openWindow}; throws `E_INVALID_INPUT`/`E_WIDE_CIDR`. */
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
      if (!isAwsError(error, 'InvalidPermission.Duplicate')) {
        throw awsFailure(error, `opening port ${spec.ports.from} for ${spec.cidr}`, spec.groupId);
      }
    }
    let existing: Awaited<ReturnType<typeof findIdenticalRule>>;
    try {
      existing = await findIdenticalRule(ec2, spec);
    } catch (error) {
      throw awsFailure(error, 'looking up the existing identical rule', spec.groupId);
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
      if (!isRuleGone(error)) throw awsFailure(error, `joining rule ${ruleId}`, spec.groupId);
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
 * @throws SgIpWindowError `E_INVALID_INPUT` / `E_WIDE_CIDR` (nothing called),
 *   `E_IP_DETECTION_FAILED`, `E_GROUP_NOT_FOUND`, `E_RULE_LIMIT`, `E_AWS`.
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
  const ec2 = ec2Client(options);
  let cidr: ParsedCidr;
  let source: string | undefined;
  if (p.target.kind === 'auto') {
    const detected = await detectPublicIp({ clock, ...options.detect });
    cidr = hostCidr({ address: detected.ip, family: detected.family });
    source = detected.source;
  } else {
    cidr = p.target.cidr;
  }
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
    // Once one rule failed, starting more would only add rules to roll back.
    if (failures.length > 0) return;
    try {
      acquired.push(await acquire(ec2, spec, p.owner, expiresAt, description));
    } catch (error) {
      failures.push(awsFailure(error, 'opening the window', spec.groupId));
    }
  });

  const closeOptions = { clients: { ec2 }, owner: p.owner, clock };
  const held = (): RuleRef[] =>
    acquired
      .filter((r) => r.mode !== 'existing')
      .map((r) => ({ groupId: r.groupId, ruleId: r.ruleId }));

  if (failures.length > 0) {
    const first = failures[0] as SgIpWindowError;
    let rollback = `; nothing was left open`;
    try {
      await closeRules({ ...closeOptions, rules: held() });
    } catch (error) {
      rollback = `; rolling back also failed, still open: ${(error as Error).message}`;
    }
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
      closing ??= closeRules({ ...closeOptions, rules: held() }).catch((error: unknown) => {
        closing = undefined;
        throw error;
      });
      return closing;
    },
  };
}
