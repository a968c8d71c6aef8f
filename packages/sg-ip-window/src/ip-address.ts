import { isIP, SocketAddress } from 'node:net';
import { quoteInput } from '@berth/internal';

/** An IP address family. */
export type IpFamily = 4 | 6;

/** A parsed address in canonical text form (IPv6 lower-case and compressed, RFC 5952). */
export interface ParsedIp {
  address: string;
  family: IpFamily;
}

/** A parsed CIDR block, network address canonical. */
export interface ParsedCidr {
  /** `address/prefix`, canonical. */
  cidr: string;
  address: string;
  prefix: number;
  family: IpFamily;
}

/**
 * Parses an IPv4 or IPv6 address (no zone id, no brackets, no leading zeros in IPv4) into its
 * canonical form; `undefined` when the text is not an address.
 */
export function parseIpAddress(text: string): ParsedIp | undefined {
  const trimmed = text.trim();
  if (trimmed.includes('%')) return undefined;
  const family = isIP(trimmed);
  if (family === 4) return { address: trimmed, family: 4 };
  if (family === 6) {
    return { address: new SocketAddress({ address: trimmed, family: 'ipv6' }).address, family: 6 };
  }
  return undefined;
}

function toBigInt(ip: ParsedIp): bigint {
  if (ip.family === 4) {
    return ip.address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let text = ip.address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = toBigInt({ address: dotted[1] as string, family: 4 });
    text = `${text.slice(0, dotted.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
    ...tailGroups,
  ];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function fromBigInt(value: bigint, family: IpFamily): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join('.');
  }
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((value >> BigInt(i * 16)) & 0xffffn).toString(16));
  return new SocketAddress({ address: groups.join(':'), family: 'ipv6' }).address;
}

const bits = (family: IpFamily) => (family === 4 ? 32 : 128);

function inRange(ip: ParsedIp, network: string, prefix: number): boolean {
  const net = parseIpAddress(network);
  if (!net || net.family !== ip.family) return false;
  const shift = BigInt(bits(ip.family) - prefix);
  return toBigInt(ip) >> shift === toBigInt(net) >> shift;
}

// IANA IPv4 and IPv6 special-purpose registries, plus multicast and the reserved class E.
const IPV4_SPECIAL: [string, number, string][] = [
  ['0.0.0.0', 8, '"this network"'],
  ['10.0.0.0', 8, 'private-use'],
  ['100.64.0.0', 10, 'shared address space (CGNAT)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private-use'],
  ['192.0.0.0', 24, 'IETF protocol assignment'],
  ['192.0.2.0', 24, 'documentation (TEST-NET-1)'],
  ['192.31.196.0', 24, 'AS112'],
  ['192.52.193.0', 24, 'AMT'],
  ['192.88.99.0', 24, 'deprecated 6to4 relay anycast'],
  ['192.168.0.0', 16, 'private-use'],
  ['192.175.48.0', 24, 'AS112'],
  ['198.18.0.0', 15, 'benchmarking'],
  ['198.51.100.0', 24, 'documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'],
];

const IPV6_SPECIAL: [string, number, string][] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::ffff:0:0', 96, 'IPv4-mapped'],
  ['64:ff9b::', 96, 'NAT64 translation'],
  ['64:ff9b:1::', 48, 'NAT64 translation'],
  ['100::', 64, 'discard-only'],
  ['2001::', 23, 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
  ['2001:db8::', 32, 'documentation'],
  ['2002::', 16, '6to4'],
  ['2620:4f:8000::', 48, 'AS112 direct delegation'],
  ['3fff::', 20, 'documentation'],
  ['5f00::', 16, 'segment routing SIDs'],
  ['fc00::', 7, 'unique local'],
  ['fe80::', 10, 'link-local'],
  ['ff00::', 8, 'multicast'],
];

/**
 * Why `ip` is not a public unicast address (`"private-use"`, `"loopback"`, `"CGNAT"`...), or
 * `undefined` when it is one: the only kind of answer an IP discovery source may give.
 */
export function nonPublicReason(ip: ParsedIp): string | undefined {
  if (ip.family === 4) {
    if (ip.address === '255.255.255.255') return 'limited broadcast';
    return IPV4_SPECIAL.find(([net, prefix]) => inRange(ip, net, prefix))?.[2];
  }
  const special = IPV6_SPECIAL.find(([net, prefix]) => inRange(ip, net, prefix));
  if (special) return special[2];
  // Everything outside 2000::/3 is unassigned or special: only global unicast is public.
  return inRange(ip, '2000::', 3) ? undefined : 'outside global unicast 2000::/3';
}

/**
 * True when `text` is a public unicast IPv4 or IPv6 address: not private, loopback,
 * link-local, CGNAT, documentation, multicast or another reserved range.
 *
 * @example
 * ```ts
 * isPublicUnicastIp('52.95.110.1'); // true
 * isPublicUnicastIp('10.0.0.5');    // false
 * ```
 */
export function isPublicUnicastIp(text: string): boolean {
  const ip = parseIpAddress(text);
  return ip !== undefined && nonPublicReason(ip) === undefined;
}

/**
 * Why an explicitly given address cannot be a rule's host, or `undefined` when it can. Private
 * addresses are allowed (a runner inside the VPC); addresses that name no single host are not.
 */
export function nonHostReason(ip: ParsedIp): string | undefined {
  if (ip.family === 4) {
    if (inRange(ip, '0.0.0.0', 8)) return '"this network"';
    if (inRange(ip, '224.0.0.0', 4)) return 'multicast';
    if (inRange(ip, '240.0.0.0', 4)) return 'reserved or broadcast';
    return undefined;
  }
  if (ip.address === '::') return 'unspecified';
  if (inRange(ip, 'ff00::', 8)) return 'multicast';
  return undefined;
}

/**
 * The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:198.51.100.7` →
 * `198.51.100.7`), or `undefined` for any other address. AWS refuses mapped addresses in
 * IPv6 rules, and an IPv4 client never arrives as one: the IPv4 address is what is meant.
 */
export function mappedIpv4(ip: ParsedIp): string | undefined {
  if (ip.family !== 6 || !inRange(ip, '::ffff:0:0', 96)) return undefined;
  return fromBigInt(toBigInt(ip) & 0xffffffffn, 4);
}

/** The CIDR of exactly one host: `/32` or `/128`. */
export function hostCidr(ip: ParsedIp): ParsedCidr {
  const prefix = bits(ip.family);
  return { cidr: `${ip.address}/${prefix}`, address: ip.address, prefix, family: ip.family };
}

/**
 * Parses `a.b.c.d/n` or `x:y::/n`. The network address must have no host bits set (AWS
 * rejects those), and the error suggests the aligned block.
 *
 * @throws Error with a message that says what is wrong; callers wrap it with the input's name.
 */
export function parseCidr(text: string): ParsedCidr {
  const trimmed = text.trim();
  const slash = trimmed.lastIndexOf('/');
  const ip = parseIpAddress(slash < 0 ? trimmed : trimmed.slice(0, slash));
  if (!ip) throw new Error(`${quoteInput(text)} is not an IPv4 or IPv6 CIDR block`);
  const prefixText = slash < 0 ? String(bits(ip.family)) : trimmed.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits(ip.family)) {
    throw new Error(`${quoteInput(text)} has an invalid prefix length (0-${bits(ip.family)})`);
  }
  const prefix = Number(prefixText);
  const shift = BigInt(bits(ip.family) - prefix);
  const network = (toBigInt(ip) >> shift) << shift;
  if (network !== toBigInt(ip)) {
    const aligned = `${fromBigInt(network, ip.family)}/${prefix}`;
    throw new Error(`${quoteInput(text)} has host bits set; the block is ${aligned}`);
  }
  return { cidr: `${ip.address}/${prefix}`, address: ip.address, prefix, family: ip.family };
}

/** True when two CIDR texts denote the same block (AWS may print IPv6 differently). */
export function sameCidr(a: string, b: string): boolean {
  try {
    return parseCidr(a).cidr === parseCidr(b).cidr;
  } catch {
    return false;
  }
}
