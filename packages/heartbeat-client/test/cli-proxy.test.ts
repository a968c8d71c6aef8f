import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { type HealthchecksServer, startHealthchecksServer } from '@berth/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers.ts';

let hc: HealthchecksServer;
let proxy: Server;
let proxyUrl: string;
let proxied: string[];

// A forward proxy on loopback: CONNECT tunnels and absolute-form requests, each recorded.
async function startProxy(): Promise<void> {
  proxied = [];
  proxy = createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  proxy.on('connect', (req, socket, head) => {
    proxied.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  hc = await startHealthchecksServer();
  await startProxy();
});
afterEach(async () => {
  proxy.closeAllConnections();
  await new Promise((resolve) => proxy.close(resolve));
  await hc.close();
});

describe('proxies from the environment (undici EnvHttpProxyAgent: HTTP_PROXY, NO_PROXY)', () => {
  it('sends pings and API requests through the proxy, unless NO_PROXY names the host', async () => {
    const check = hc.addCheck({ name: 'behind a proxy' });
    const host = new URL(hc.url).host;
    const env = { HC_PING_URL: hc.pingUrlOf(check), HTTP_PROXY: proxyUrl };
    const ping = await runCli(['ping', 'success'], { env });
    expect(ping.code).toBe(0);
    expect(check.pings).toHaveLength(1);
    expect(proxied).toHaveLength(1);
    expect(proxied[0]).toContain(host);

    const ls = await runCli(['ls', '--json'], {
      env: { ...env, HC_API_KEY: hc.apiKey, HC_API_URL: hc.url },
    });
    expect(ls.code).toBe(0);
    expect(proxied).toHaveLength(2);

    const direct = await runCli(['ping', 'success'], { env: { ...env, NO_PROXY: '127.0.0.1' } });
    expect(direct.code).toBe(0);
    expect(check.pings).toHaveLength(2);
    expect(proxied).toHaveLength(2);
  });

  it('reports an unreachable proxy as a warning and keeps the job exit code', async () => {
    const check = hc.addCheck();
    const r = await runCli(['run', '--retries', '0', '--', 'sh', '-c', 'exit 6'], {
      env: { HC_PING_URL: hc.pingUrlOf(check), HTTP_PROXY: 'http://user:hunter22@127.0.0.1:1' },
    });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/warning: ping exit status 6 .* failed/);
    expect(r.stderr).not.toContain('hunter22');
    expect(check.pings).toHaveLength(0);
  });
});
