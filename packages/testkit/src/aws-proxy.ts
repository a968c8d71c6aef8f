import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An AWS error the proxy answers with instead of forwarding a call. */
export interface InjectedAwsError {
  /** AWS error code, e.g. `PriorityInUse`, `ThrottlingException`. */
  code: string;
  message?: string;
  /** HTTP status (default 400). */
  status?: number;
}

/** Which calls a fault applies to. */
export interface FaultRule {
  /** Operation name (`CreateRule`); any operation when left out. */
  operation?: string;
  /** Fail only the n-th matching call (1-based), counted from when the rule was added. */
  nth?: number;
  /** Fail this many matching calls, then stop (default: every one, or 1 with `nth`). */
  times?: number;
  error: InjectedAwsError;
}

/** One call seen by the proxy. */
export interface ProxiedCall {
  service: string;
  operation: string;
  startedAt: number;
  endedAt: number;
  /** Sequential round: 1 + the deepest call that had ended before this one started. */
  round: number;
  /** Set when the proxy answered with an injected error. */
  injected?: string;
  status: number;
}

/** Summary of the calls since the last reset. */
export interface ProxyStats {
  total: number;
  byOperation: Record<string, number>;
  /** Most calls in flight at once. */
  maxInFlight: number;
  /** Length of the longest chain of calls that had to wait for each other. */
  rounds: number;
}

/** Options of {@link startAwsProxy}. */
export interface AwsProxyOptions {
  /** The emulator's endpoint. */
  upstream: string;
  /** Emulator account for every call (`x-moto-account-id`), isolating this proxy's users. */
  accountId?: string;
  /** Added delay per call, in ms (default 0). */
  latencyMs?: number;
}

/** A running proxy between AWS SDK clients and the emulator. */
export interface AwsProxy {
  endpoint: string;
  accountId: string | undefined;
  calls: ProxiedCall[];
  stats(): ProxyStats;
  /** Forgets recorded calls (not faults). */
  resetStats(): void;
  setLatency(ms: number): void;
  /** Adds a fault; returns a function that removes it. */
  fail(rule: FaultRule): () => void;
  clearFaults(): void;
  close(): Promise<void>;
}

const ROUTE53_ROUTES: [string, RegExp, string][] = [
  ['POST', /^\/2013-04-01\/hostedzone\/?$/, 'CreateHostedZone'],
  ['GET', /^\/2013-04-01\/hostedzone\/?$/, 'ListHostedZones'],
  ['GET', /^\/2013-04-01\/hostedzonesbyname/, 'ListHostedZonesByName'],
  ['POST', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ChangeResourceRecordSets'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+\/rrset\/?$/, 'ListResourceRecordSets'],
  ['GET', /^\/2013-04-01\/hostedzone\/[^/]+\/?$/, 'GetHostedZone'],
  ['DELETE', /^\/2013-04-01\/hostedzone\/[^/]+\/?$/, 'DeleteHostedZone'],
  ['GET', /^\/2013-04-01\/change\//, 'GetChange'],
  ['POST', /^\/2013-04-01\/tags\//, 'ChangeTagsForResource'],
  ['GET', /^\/2013-04-01\/tags\//, 'ListTagsForResource'],
];

function identify(req: IncomingMessage, body: Buffer): { service: string; operation: string } {
  const auth = req.headers.authorization ?? '';
  const scope = /Credential=[^/]+\/\d+\/[^/]+\/([^/]+)\//.exec(auth);
  const service = scope?.[1] ?? 'unknown';
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return { service, operation: target.slice(target.lastIndexOf('.') + 1) };
  }
  const type = req.headers['content-type'] ?? '';
  if (type.includes('x-www-form-urlencoded')) {
    const action = new URLSearchParams(body.toString()).get('Action');
    if (action) return { service, operation: action };
  }
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  for (const [method, pattern, operation] of ROUTE53_ROUTES) {
    if (req.method === method && pattern.test(path)) return { service, operation };
  }
  return { service, operation: `${req.method} ${path}` };
}

function errorResponse(
  res: ServerResponse,
  req: IncomingMessage,
  service: string,
  error: InjectedAwsError,
): number {
  const status = error.status ?? 400;
  const message = error.message ?? `injected ${error.code}`;
  const requestId = randomUUID();
  const xmlEscape = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  if (typeof req.headers['x-amz-target'] === 'string') {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amzn-errortype': error.code,
      'x-amzn-requestid': requestId,
    });
    res.end(JSON.stringify({ __type: error.code, message }));
  } else if (service === 'ec2') {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${error.code}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    );
  } else {
    res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ErrorResponse><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${error.code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }
  return status;
}

/**
 * Starts a proxy on loopback that forwards AWS SDK calls to the emulator. It isolates an
 * emulator account, adds latency per call, counts calls per operation, measures concurrency
 * and sequential rounds, and injects AWS errors into chosen calls.
 */
export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const upstream = new URL(options.upstream);
  let latency = options.latencyMs ?? 0;
  let calls: ProxiedCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  type ActiveFault = FaultRule & { seen: number; used: number };
  let faults: ActiveFault[] = [];

  const pickFault = (operation: string): ActiveFault | undefined => {
    for (const f of faults) {
      if (f.operation !== undefined && f.operation !== operation) continue;
      f.seen++;
      const limit = f.times ?? (f.nth !== undefined ? 1 : Number.POSITIVE_INFINITY);
      if (f.used >= limit) continue;
      if (f.nth !== undefined && f.seen < f.nth) continue;
      f.used++;
      return f;
    }
    return undefined;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      if (path.startsWith('/moto-api')) {
        forward(req, body, res, () => undefined);
        return;
      }
      const { service, operation } = identify(req, body);
      const startedAt = performance.now();
      const round =
        1 + calls.reduce((max, c) => (c.endedAt <= startedAt && c.round > max ? c.round : max), 0);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      const finish = (status: number, injected?: string) => {
        inFlight--;
        calls.push({
          service,
          operation,
          startedAt,
          endedAt: performance.now(),
          round,
          status,
          ...(injected ? { injected } : {}),
        });
      };
      const fault = pickFault(operation);
      if (fault) {
        const status = errorResponse(res, req, service, fault.error);
        finish(status, fault.error.code);
        return;
      }
      forward(req, body, res, finish);
    });
  });

  function forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    done: (status: number) => void,
  ): void {
    const headers: Record<string, string | string[] | undefined> = {
      ...req.headers,
      host: upstream.host,
    };
    if (options.accountId) headers['x-moto-account-id'] = options.accountId;
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
      },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('end', () => done(upRes.statusCode ?? 502));
      },
    );
    up.on('error', (error) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: upstream failed: ${error.message}`);
      done(502);
    });
    up.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    accountId: options.accountId,
    get calls() {
      return calls;
    },
    stats() {
      const byOperation: Record<string, number> = {};
      for (const c of calls) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
      return {
        total: calls.length,
        byOperation,
        maxInFlight,
        rounds: calls.reduce((max, c) => Math.max(max, c.round), 0),
      };
    },
    resetStats() {
      calls = [];
      maxInFlight = inFlight;
    },
    setLatency(ms) {
      latency = ms;
    },
    fail(rule) {
      const active: ActiveFault = { ...rule, seen: 0, used: 0 };
      faults.push(active);
      return () => {
        faults = faults.filter((f) => f !== active);
      };
    },
    clearFaults() {
      faults = [];
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh 12-digit emulator account id. */
export function randomAccountId(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}
