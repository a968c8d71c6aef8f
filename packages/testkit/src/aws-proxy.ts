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
  /**
   * Answer with an HTML error page instead of the service's error format, as the emulator
   * does under heavy load (use with `status: 500`).
   */
  html?: boolean;
}

/**
 * A fault at the connection level:
 * - `applied-then-reset`: the call is forwarded to the emulator, which applies it; then the
 *   client's connection is destroyed without an answer (the SDK sees a reset, `socket hang up`).
 * - `no-answer`: the call is not forwarded and never answered; the connection is held until
 *   the client gives up (its timeout or abort signal) or the proxy closes.
 */
export type ConnectionFault = 'applied-then-reset' | 'no-answer';

/** Which calls a fault applies to, and what happens to them. */
export type FaultRule = {
  /** Operation name (`CreateRule`); any operation when left out. */
  operation?: string;
  /** Fail only the n-th matching call (1-based), counted from when the rule was added. */
  nth?: number;
  /** Fail this many matching calls, then stop (default: every one, or 1 with `nth`). */
  times?: number;
} & (
  | {
      /** Answer with this AWS error instead of forwarding. */
      error: InjectedAwsError;
      fault?: undefined;
    }
  | {
      error?: undefined;
      /** Fail at the connection level ({@link ConnectionFault}). */
      fault: ConnectionFault;
    }
);

/** One call seen by the proxy. */
export interface ProxiedCall {
  service: string;
  operation: string;
  startedAt: number;
  endedAt: number;
  /** Sequential round: 1 + the deepest call that had ended before this one started. */
  round: number;
  /** Set when the proxy injected a fault: the error code, or the {@link ConnectionFault}. */
  injected?: string;
  /**
   * HTTP status of the answer (the emulator's for `applied-then-reset`; 0 for `no-answer`,
   * which is recorded when it arrives and gets its `endedAt` when the connection closes).
   */
  status: number;
}

/** A call as it arrives, before it is forwarded or failed. */
export interface ArrivingCall {
  service: string;
  operation: string;
  /** The fault chosen for it, if any (error code or connection fault). */
  injected?: string;
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
  /** Calls that started since the last {@link AwsProxy.resetStats} and have ended. */
  calls: ProxiedCall[];
  stats(): ProxyStats;
  /**
   * Forgets recorded calls (not faults). Calls still in flight at the reset (a previous
   * test's stragglers) are not counted when they end.
   */
  resetStats(): void;
  /**
   * Runs `fn` and returns the calls that started while it ran, and their stats: counts that
   * do not depend on what ran before.
   *
   * @example
   * ```ts
   * const { result, stats } = await aws.proxy.measure(() => open(options));
   * expect(stats.byOperation.AuthorizeSecurityGroupIngress).toBe(1);
   * ```
   */
  measure<T>(fn: () => Promise<T>): Promise<{ result: T; calls: ProxiedCall[]; stats: ProxyStats }>;
  /**
   * Resolves when the next call of `operation` (any when left out) arrives, e.g. to send a
   * signal to a CLI while that call hangs on a `no-answer` fault.
   */
  nextCall(operation?: string): Promise<ArrivingCall>;
  setLatency(ms: number): void;
  /** Adds a fault; returns a function that removes it. */
  fail(rule: FaultRule): () => void;
  clearFaults(): void;
  /** Closes the proxy; connections held by `no-answer` faults are destroyed. */
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
  if (error.html) {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html>\n<html lang=en>\n<title>${status} Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n`,
    );
    return status;
  }
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

/** Stats of a set of finished calls: counts, most in flight at once, sequential rounds. */
function statsOf(calls: readonly ProxiedCall[]): ProxyStats {
  const byOperation: Record<string, number> = {};
  for (const c of calls) byOperation[c.operation] = (byOperation[c.operation] ?? 0) + 1;
  const events = calls.flatMap((c) => [[c.startedAt, 1] as const, [c.endedAt, -1] as const]);
  // ends before starts at the same instant: touching calls did not overlap
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let inFlight = 0;
  let maxInFlight = 0;
  for (const [, d] of events) {
    inFlight += d;
    maxInFlight = Math.max(maxInFlight, inFlight);
  }
  const byStart = [...calls].sort((a, b) => a.startedAt - b.startedAt);
  const round = new Map<ProxiedCall, number>();
  for (const c of byStart) {
    let deepest = 0;
    for (const o of byStart) {
      if (o === c || o.endedAt > c.startedAt) continue;
      deepest = Math.max(deepest, round.get(o) ?? 0);
    }
    round.set(c, deepest + 1);
  }
  return {
    total: calls.length,
    byOperation,
    maxInFlight,
    rounds: Math.max(0, ...round.values()),
  };
}

/**
 * Starts a proxy on loopback that forwards AWS SDK calls to the emulator. It isolates an
 * emulator account, adds latency per call, counts calls per operation, measures concurrency
 * and sequential rounds, and injects AWS errors or connection faults into chosen calls.
 */
export async function startAwsProxy(options: AwsProxyOptions): Promise<AwsProxy> {
  const upstream = new URL(options.upstream);
  let latency = options.latencyMs ?? 0;
  let calls: ProxiedCall[] = [];
  let epoch = 0;
  type Window = { calls: ProxiedCall[] };
  const windows = new Set<Window>();
  type ActiveFault = FaultRule & { seen: number; used: number };
  let faults: ActiveFault[] = [];
  const waiters: { operation: string | undefined; resolve: (call: ArrivingCall) => void }[] = [];
  const held = new Set<ServerResponse>();

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
      const startEpoch = epoch;
      const openWindows = [...windows];
      if (latency > 0) await new Promise((r) => setTimeout(r, latency));
      let finished = false;
      const finish = (status: number, injected?: string): ProxiedCall | undefined => {
        if (finished) return undefined;
        finished = true;
        const call: ProxiedCall = {
          service,
          operation,
          startedAt,
          endedAt: performance.now(),
          round: 0,
          status,
          ...(injected ? { injected } : {}),
        };
        if (startEpoch === epoch) {
          call.round =
            1 +
            calls.reduce((max, c) => (c.endedAt <= startedAt && c.round > max ? c.round : max), 0);
          calls.push(call);
        }
        for (const w of openWindows) w.calls.push(call);
        return call;
      };
      const fault = pickFault(operation);
      const injected = fault ? (fault.fault ?? fault.error?.code) : undefined;
      for (const w of waiters.splice(0)) {
        if (w.operation === undefined || w.operation === operation) {
          w.resolve({ service, operation, ...(injected ? { injected } : {}) });
        } else {
          waiters.push(w);
        }
      }
      if (fault?.fault === 'no-answer') {
        // Recorded at once (a test may look while the call hangs); it ends when the client
        // gives up or the proxy closes.
        const call = finish(0, 'no-answer');
        held.add(res);
        res.on('close', () => {
          held.delete(res);
          if (call) call.endedAt = performance.now();
        });
        return;
      }
      if (fault?.fault === 'applied-then-reset') {
        forward(req, body, res, (status) => finish(status, 'applied-then-reset'), {
          reset: true,
        });
        return;
      }
      if (fault?.error) {
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
    mode: { reset?: boolean } = {},
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
        if (mode.reset) {
          // let the emulator finish (and apply) the call, then drop the client's connection
          upRes.resume();
          upRes.on('end', () => {
            res.socket?.destroy();
            done(upRes.statusCode ?? 502);
          });
          return;
        }
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on('end', () => done(upRes.statusCode ?? 502));
      },
    );
    up.on('error', (error) => {
      if (mode.reset) res.socket?.destroy();
      else {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`proxy: upstream failed: ${error.message}`);
      }
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
      const s = statsOf(calls);
      return { ...s, rounds: calls.reduce((max, c) => Math.max(max, c.round), 0) };
    },
    resetStats() {
      calls = [];
      epoch++;
    },
    async measure(fn) {
      const window: Window = { calls: [] };
      windows.add(window);
      try {
        const result = await fn();
        const seen = [...window.calls];
        return { result, calls: seen, stats: statsOf(seen) };
      } finally {
        windows.delete(window);
      }
    },
    nextCall(operation) {
      return new Promise((resolve) => waiters.push({ operation, resolve }));
    },
    setLatency(ms) {
      latency = ms;
    },
    fail(rule) {
      const active = { ...rule, seen: 0, used: 0 } as ActiveFault;
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
        for (const res of held) res.socket?.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A fresh 12-digit emulator account id. */
export function randomAccountId(): string {
  return String(100_000_000_000 + Math.floor(Math.random() * 899_999_999_999));
}
