import { describe, expect, it } from 'vitest';
import {
  hostCidr,
  isPublicUnicastIp,
  nonHostReason,
  nonPublicReason,
  parseCidr,
  parseIpAddress,
  sameCidr,
} from './ip-address.ts';

describe('parseIpAddress', () => {
  it('canonicalises IPv6 and refuses what is not one address', () => {
    expect(parseIpAddress(' 2001:0DB8:0000::0001 \n')).toEqual({
      address: '2001:db8::1',
      family: 6,
    });
    expect(parseIpAddress('52.95.110.1')).toEqual({ address: '52.95.110.1', family: 4 });
    for (const bad of [
      '',
      '01.2.3.4',
      '1.2.3',
      'fe80::1%eth0',
      '[::1]',
      '52.95.110.1/32',
      '<html>',
    ]) {
      expect(parseIpAddress(bad), bad).toBeUndefined();
    }
  });
});

describe('nonPublicReason', () => {
  it.each([
    ['10.1.2.3', 'private-use'],
    ['172.31.255.1', 'private-use'],
    ['192.168.1.1', 'private-use'],
    ['127.0.0.1', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['100.64.0.1', 'shared address space (CGNAT)'],
    ['192.0.2.10', 'documentation (TEST-NET-1)'],
    ['198.51.100.7', 'documentation (TEST-NET-2)'],
    ['203.0.113.9', 'documentation (TEST-NET-3)'],
    ['198.18.0.1', 'benchmarking'],
    ['0.1.2.3', '"this network"'],
    ['224.0.0.251', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'limited broadcast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:52.95.110.1', 'IPv4-mapped'],
    ['fe80::1', 'link-local'],
    ['fd00::1', 'unique local'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001:0:4136:e378::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2002:c000:0204::1', '6to4'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::808:808', 'NAT64 translation'],
    ['4000::1', 'outside global unicast 2000::/3'],
    // The rest of the IANA special-purpose registries, one address per block.
    ['192.0.0.9', 'IETF protocol assignment'],
    ['192.31.196.1', 'AS112'],
    ['192.52.193.1', 'AMT'],
    ['192.88.99.2', 'deprecated 6to4 relay anycast'],
    ['192.175.48.1', 'AS112'],
    ['198.19.255.255', 'benchmarking'],
    ['100.127.255.255', 'shared address space (CGNAT)'],
    ['100::1', 'discard-only'],
    ['100:0:0:1::1', 'outside global unicast 2000::/3'],
    ['64:ff9b:1::1', 'NAT64 translation'],
    ['2001:1::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2001:2::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2001:3::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2001:4:112::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2001:20::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2001:30::1', 'IETF protocol assignment (Teredo, benchmarking, ORCHID)'],
    ['2620:4f:8000::1', 'AS112 direct delegation'],
    ['5f00::1', 'segment routing SIDs'],
    ['fec0::1', 'outside global unicast 2000::/3'],
    ['::10.0.0.1', 'outside global unicast 2000::/3'],
  ])('%s is %s', (text, reason) => {
    const ip = parseIpAddress(text);
    expect(ip).toBeDefined();
    expect(nonPublicReason(ip!)).toBe(reason);
    expect(isPublicUnicastIp(text)).toBe(false);
  });

  it.each([
    '52.95.110.1',
    '8.8.8.8',
    '100.128.0.1',
    '172.32.0.1',
    '2a00:1450:4001:80b::200e',
    '2600:1f18::1',
    // Just outside the neighbouring special blocks.
    '100.63.255.255',
    '198.17.255.255',
    '198.20.0.0',
    '192.0.1.1',
    '2001:200::1',
    '2620:4f:8001::1',
  ])('%s is public unicast', (text) => {
    expect(isPublicUnicastIp(text)).toBe(true);
  });
});

describe('nonHostReason', () => {
  it('accepts private hosts (a runner inside the VPC) but not non-hosts', () => {
    expect(nonHostReason(parseIpAddress('10.0.0.5')!)).toBeUndefined();
    expect(nonHostReason(parseIpAddress('203.0.113.9')!)).toBeUndefined();
    expect(nonHostReason(parseIpAddress('0.0.0.0')!)).toBe('"this network"');
    expect(nonHostReason(parseIpAddress('239.1.1.1')!)).toBe('multicast');
    expect(nonHostReason(parseIpAddress('::')!)).toBe('unspecified');
    expect(nonHostReason(parseIpAddress('ff05::2')!)).toBe('multicast');
  });
});

describe('parseCidr', () => {
  it('parses, canonicalises and gives host CIDRs', () => {
    expect(parseCidr('2001:DB8:0::/48')).toEqual({
      cidr: '2001:db8::/48',
      address: '2001:db8::',
      prefix: 48,
      family: 6,
    });
    expect(parseCidr('203.0.113.9')).toMatchObject({ cidr: '203.0.113.9/32', prefix: 32 });
    expect(hostCidr(parseIpAddress('2001:db8::1')!).cidr).toBe('2001:db8::1/128');
    expect(sameCidr('2001:0db8::0001/128', '2001:db8::1/128')).toBe(true);
    expect(sameCidr('203.0.113.9/32', '203.0.113.10/32')).toBe(false);
  });

  it('refuses host bits, bad prefixes and non-addresses, saying what to use', () => {
    expect(() => parseCidr('203.0.113.9/24')).toThrow('the block is 203.0.113.0/24');
    expect(() => parseCidr('2001:db8::1/64')).toThrow('the block is 2001:db8::/64');
    expect(() => parseCidr('10.0.0.0/33')).toThrow('invalid prefix length (0-32)');
    expect(() => parseCidr('10.0.0.0/x')).toThrow('invalid prefix length');
    expect(() => parseCidr('example.com/24')).toThrow('not an IPv4 or IPv6 CIDR block');
  });
});
