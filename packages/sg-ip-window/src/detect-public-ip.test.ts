import type { Clock } from '@berth/internal';
import { fakeClock, startHttpServer, type TestHttpServer } from '@berth/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { type DnsFixture, startDnsFixture } from '../test/dns-fixture.ts';
import { detectPublicIp } from './detect-public-ip.ts';
import { SgIpWindowError } from './errors.ts';
import { dnsIpSource, httpIpSource, type IpSource, parseIpSource } from './ip-sources.ts';

const servers: (TestHttpServer | DnsFixture)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(handler: Parameters<typeof startHttpServer>[0]): Promise<TestHttpServer> {
  const s = await startHttpServer(handler);
  servers.push(s);
  return s;
}

/** A clock whose timeout fires only when the test says so. */
function manualClock(): Clock & { fire(): void } {
  const clock = fakeClock({ mode: 'manual' });
  return Object.assign(clock, { fire: () => clock.advance(24 * 3_600_000) });
}

/** Counts the lookups of `sources` that have settled, so a test can wait for them. */
function tracked(sources: IpSource[]): { sources: IpSource[]; settled: () => number } {
  let count = 0;
  return {
    sources: sources.map((s) => ({
      name: s.name,
      lookup: (signal: AbortSignal) =>
        s.lookup(signal).finally(() => {
          count++;
        }),
    })),
    settled: () => count,
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('detectPublicIp against fixture servers', () => {
  it('takes the first valid answer while one source hangs, one sends garbage and one a private address', async () => {
    const garbageDone = deferred();
    const privateDone = deferred();
    const hangAborted = deferred();
    const hang = await server((_req, res) => {
      res.on('close', () => hangAborted.resolve());
      return new Promise(() => {});
    });
    const garbage = await server((_req, res) => {
      res.end('<html><body>rate limited</body></html>');
      garbageDone.resolve();
    });
    const priv = await server((_req, res) => {
      res.end('10.1.2.3\n');
      privateDone.resolve();
    });
    const good = await server(async (_req, res) => {
      // Answer last, so the failures of the others are on record when it wins.
      await Promise.all([garbageDone.promise, privateDone.promise]);
      await new Promise((r) => setTimeout(r, 20));
      res.end('52.95.110.1\n');
    });

    const result = await detectPublicIp({
      sources: [
        httpIpSource(hang.url, { name: 'hang' }),
        httpIpSource(garbage.url, { name: 'garbage' }),
        httpIpSource(priv.url, { name: 'private' }),
        httpIpSource(good.url, { name: 'good' }),
      ],
      timeoutMs: 30_000,
    });

    expect(result).toMatchObject({ ip: '52.95.110.1', family: 4, source: 'good' });
    expect(result.failures).toEqual(
      expect.arrayContaining([
        {
          source: 'garbage',
          reason: 'not an IP address: "<html><body>rate limited</body></html>"',
        },
        { source: 'private', reason: '10.1.2.3 is not public (private-use)' },
      ]),
    );
    // The loser still waiting is cancelled, not left hanging.
    await hangAborted.promise;
    expect(hang.requests).toHaveLength(1);
    expect(good.requests[0]?.headers['user-agent']).toBe('@berth/sg-ip-window');
  });

  it('fails with every source and its reason when no valid answer comes before the timeout', async () => {
    const hang = await server(() => new Promise(() => {}));
    const garbage = await server((_req, res) => {
      res.end('x'.repeat(5000));
    });
    const priv = await server((_req, res) => {
      res.end('100.64.1.2');
    });
    const broken = await server((_req, res) => {
      res.writeHead(500);
      res.end('oops');
    });
    const clock = manualClock();
    const t = tracked([
      httpIpSource(hang.url, { name: 'hang' }),
      httpIpSource(garbage.url, { name: 'garbage' }),
      httpIpSource(priv.url, { name: 'private' }),
      httpIpSource(broken.url, { name: 'broken' }),
    ]);
    const pending = detectPublicIp({ sources: t.sources, timeoutMs: 3000, clock });
    await expect.poll(t.settled).toBe(3);
    clock.fire();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SgIpWindowError);
    expect(error).toMatchObject({ code: 'E_IP_DETECTION_FAILED', retryable: true });
    const message = (error as Error).message;
    expect(message).toContain('hang: no answer within 3000 ms');
    expect(message).toContain('garbage: answer longer than 256 bytes');
    expect(message).toContain('private: 100.64.1.2 is not public (shared address space (CGNAT))');
    expect(message).toContain('broken: HTTP 500');
    expect(message).toContain('--ip <address>');
  });

  it('fails at once when every source has failed, without waiting for the timeout', async () => {
    const priv = await server((_req, res) => {
      res.end('192.168.0.10');
    });
    const error = await detectPublicIp({
      sources: [httpIpSource(priv.url, { name: 'private' })],
      clock: manualClock(),
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'E_IP_DETECTION_FAILED' });
  });

  it('reports an unreachable source as a failure', async () => {
    const gone = await server((_req, res) => {
      res.end('52.95.110.1');
    });
    await gone.close();
    servers.pop();
    const error = await detectPublicIp({
      sources: [httpIpSource(gone.url, { name: 'gone' })],
    }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/gone: fetch failed \(ECONNREFUSED\)/);
  });

  it('accepts IPv6 and filters by family', async () => {
    const v4 = await server((_req, res) => {
      res.end('52.95.110.1');
    });
    const v6 = await server(async (_req, res) => {
      await new Promise((r) => setTimeout(r, 30));
      res.end('2600:1F18:0:0::10\n');
    });
    const sources = [httpIpSource(v4.url, { name: 'v4' }), httpIpSource(v6.url, { name: 'v6' })];
    const six = await detectPublicIp({ sources, family: 6 });
    expect(six).toMatchObject({ ip: '2600:1f18::10', family: 6, source: 'v6' });
    expect(six.failures).toEqual([
      { source: 'v4', reason: '52.95.110.1 is IPv4, IPv6 was asked for' },
    ]);
  });

  it('stops when the caller aborts', async () => {
    const hang = await server(() => new Promise(() => {}));
    const controller = new AbortController();
    const pending = detectPublicIp({
      sources: [httpIpSource(hang.url, { name: 'hang' })],
      signal: controller.signal,
    });
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'E_IP_DETECTION_FAILED' });
  });

  it('counts a source that throws synchronously as a failure', async () => {
    const bad: IpSource = {
      name: 'throws',
      lookup: () => {
        throw new Error('misconfigured');
      },
    };
    const good = await server((_req, res) => {
      res.end('52.95.110.1');
    });
    const result = await detectPublicIp({
      sources: [bad, httpIpSource(good.url, { name: 'good' })],
    });
    expect(result.source).toBe('good');
  });

  it('refuses an empty source list', async () => {
    await expect(detectPublicIp({ sources: [] })).rejects.toMatchObject({
      code: 'E_INPUT',
    });
  });
});

describe('DNS sources against a fixture name server', () => {
  it('reads the OpenDNS-style A record through a dedicated resolver', async () => {
    const dns = await startDnsFixture((name) =>
      name === 'myip.opendns.com' ? [{ type: 'A', value: '52.95.110.1' }] : 'nxdomain',
    );
    servers.push(dns);
    const result = await detectPublicIp({
      sources: [
        dnsIpSource({ name: 'opendns', hostname: 'myip.opendns.com', servers: [dns.server] }),
      ],
    });
    expect(result).toMatchObject({ ip: '52.95.110.1', source: 'opendns' });
    expect(dns.queries).toEqual([{ name: 'myip.opendns.com', type: 1 }]);
  });

  it('reads AAAA and TXT answers', async () => {
    const dns = await startDnsFixture((name) =>
      name === 'o-o.myaddr.l.google.com'
        ? [{ type: 'TXT', value: '2a00:1450:4001:80b::200e' }]
        : [{ type: 'AAAA', value: '2600:1f18::10' }],
    );
    servers.push(dns);
    const txt = await detectPublicIp({
      sources: [parseIpSource(`dns://${dns.server}/o-o.myaddr.l.google.com?type=TXT`)],
    });
    expect(txt.ip).toBe('2a00:1450:4001:80b::200e');
    const aaaa = await detectPublicIp({
      sources: [parseIpSource(`dns://${dns.server}/myip.opendns.com?type=aaaa`)],
    });
    expect(aaaa.ip).toBe('2600:1f18::10');
  });

  it('reports NXDOMAIN and a private answer as failures, and cancels a hanging query', async () => {
    const dns = await startDnsFixture((name) =>
      name === 'hang.test'
        ? 'hang'
        : name === 'private.test'
          ? [{ type: 'A', value: '192.168.1.1' }]
          : 'nxdomain',
    );
    servers.push(dns);
    const clock = manualClock();
    const t = tracked([
      dnsIpSource({ name: 'nx', hostname: 'nothing.test', servers: [dns.server] }),
      dnsIpSource({ name: 'private', hostname: 'private.test', servers: [dns.server] }),
      dnsIpSource({ name: 'hang', hostname: 'hang.test', servers: [dns.server] }),
    ]);
    const pending = detectPublicIp({ sources: t.sources, clock });
    await expect.poll(t.settled).toBe(2);
    clock.fire();
    const message = ((await pending.catch((e: unknown) => e)) as Error).message;
    expect(message).toContain('nx: ENOTFOUND');
    expect(message).toContain('private: 192.168.1.1 is not public (private-use)');
    expect(message).toContain('hang: no answer within 5000 ms');
  });
});

describe('parseIpSource', () => {
  it('takes http(s) URLs and dns:// URLs, and refuses the rest', () => {
    expect(parseIpSource('https://ip.example.com/').name).toBe('https://ip.example.com/');
    expect(parseIpSource('dns://[::1]:5353/myip.opendns.com?type=AAAA').name).toBe(
      'dns://[::1]:5353/myip.opendns.com?type=AAAA',
    );
    for (const bad of ['ftp://x/', 'not a url', 'dns://1.2.3.4/', 'dns://1.2.3.4/x?type=MX']) {
      expect(() => parseIpSource(bad), bad).toThrow(SgIpWindowError);
    }
  });
});
