import type { IncomingHttpHeaders } from 'node:http';
import { backoffDelay, type Clock, systemClock } from '@berth/internal';
import type { Dispatcher } from 'undici';
import { DEFAULT_USER_AGENT } from './version.ts';

/** Transport options shared by the pinger and the Management API client. */
export interface HttpOptions {
  /** Time allowed for one attempt, answer body included (ms). */
  timeoutMs?: number;
  /** Retries after the first attempt, on retryable failures only. */
  retries?: number;
  /** Time allowed for all attempts and the waits between them (ms). */
  budgetMs?: number;
  /**
   * An undici dispatcher (e.g. a `MockAgent`, or an agent with your own TLS settings): the
   * requests then go through undici. Default: Node's own HTTP client, or, when `HTTP_PROXY`
   * / `HTTPS_PROXY` is set, undici's `EnvHttpProxyAgent` (which also honours `NO_PROXY`).
   */
  dispatcher?: Dispatcher;
  /** Clock for the backoff waits and the budget (inject a fake one in tests). */
  clock?: Clock;
  /** Randomness of the backoff jitter, in [0, 1). */
  random?: () => number;
  /** Cancels everything in flight; an aborted call fails fast and is not retried. */
  signal?: AbortSignal;
  /** User-Agent header (default `berth-heartbeat/<version>`). */
  userAgent?: string;
}

/** An HTTP answer, body read in full. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Why no answer came. */
export interface HttpFailure {
  /** `ETIMEDOUT` for our own per-attempt timeout, else the socket's or undici's code. */
  code: string;
  message: string;
}

/** The outcome of {@link exchange}: the last answer or the last failure, and how many tries. */
export interface HttpExchange {
  answer?: HttpAnswer;
  failure?: HttpFailure;
  attempts: number;
  /** True when the caller's signal aborted. */
  aborted: boolean;
  /** True when retries stopped because the budget ran out. */
  budgetExhausted: boolean;
}

/** How many tries an exchange took, in words (`1 attempt`, `3 attempts`). */
export function attemptsText(outcome: Pick<HttpExchange, 'attempts'>): string {
  return `${outcome.attempts} attempt${outcome.attempts === 1 ? '' : 's'}`;
}

/** Why an exchange ended without an answer, in words. */
export function noAnswerReason(outcome: HttpExchange): string {
  if (outcome.aborted) return 'aborted';
  if (outcome.failure) return `${outcome.failure.code}: ${outcome.failure.message}`;
  return 'no time left in the budget';
}

/** One request. */
export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  headers?: Record<string, string>;
  body?: Uint8Array | string;
}

/** What a caller retries on. */
export interface RetryRule {
  /** Statuses worth another attempt. */
  status(status: number): boolean;
  /** Whether a failure without an answer (network error, timeout) is retried. */
  network: boolean;
}

type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;
let proxyDispatcher: Dispatcher | undefined;

// undici is loaded only when its features are needed (a proxy from the environment, or a
// dispatcher passed in): loading and compiling it costs more than a whole `heartbeat run`
// against a near server. Everything else uses Node's own HTTP client, already in the binary.
function loadUndici(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

/** Whether the environment names a proxy (undici then decides per host, NO_PROXY included). */
function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'].some(
    (name) => (env[name] ?? '').trim() !== '',
  );
}

/** The dispatcher for a request, or undefined for Node's own client. */
async function dispatcherFor(options: HttpOptions): Promise<Dispatcher | undefined> {
  if (options.dispatcher) return options.dispatcher;
  if (!proxyConfigured(process.env)) return undefined;
  const { EnvHttpProxyAgent } = await loadUndici();
  proxyDispatcher ??= new EnvHttpProxyAgent();
  return proxyDispatcher;
}

class AttemptTimeout extends Error {
  override readonly name = 'AttemptTimeout';
}

function describeFailure(error: unknown, timeoutMs: number): HttpFailure {
  if (error instanceof AttemptTimeout) {
    return { code: 'ETIMEDOUT', message: `no answer within ${timeoutMs} ms` };
  }
  const e = error as {
    code?: unknown;
    message?: unknown;
    cause?: { code?: unknown; message?: unknown };
  };
  const code =
    typeof e.code === 'string'
      ? e.code
      : typeof e.cause?.code === 'string'
        ? e.cause.code
        : 'ENETWORK';
  const message =
    typeof e.message === 'string' && e.message !== ''
      ? e.message
      : typeof e.cause?.message === 'string'
        ? e.cause.message
        : String(error);
  return { code, message };
}

/** Seconds or an HTTP date in `Retry-After`, as milliseconds from now. */
export function retryAfterMs(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One request through undici (a dispatcher passed in, or a proxy). */
async function undiciRequest(
  req: HttpRequest,
  headers: Record<string, string>,
  dispatcher: Dispatcher,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const { request } = await loadUndici();
  const res = await request(req.url, {
    method: req.method,
    headers,
    ...(req.body !== undefined ? { body: req.body } : {}),
    signal,
    dispatcher,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  // undici frees the connection for reuse only on a later turn of the event loop: without
  // this, a ping sent right after another opens a second connection (over TLS, a handshake).
  await new Promise((resolve) => setImmediate(resolve));
  return { status: res.statusCode, headers: res.headers, body };
}

/**
 * One request through Node's own client. Its global agents keep connections alive, so the
 * final ping reuses the connection of `start`. The body's length is always sent (servers
 * behind some WSGI front ends refuse chunked request bodies).
 */
async function nodeRequest(
  req: HttpRequest,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  const url = new URL(req.url);
  // process.getBuiltinModule, not import(): an ESM import of node:http builds its ESM
  // facade, which touches every lazy export, and one of them loads Node's internal undici
  // (about as slow as loading undici itself). Node < 22.3 falls back to import().
  const { request } =
    url.protocol === 'https:'
      ? (process.getBuiltinModule?.('node:https') ?? (await import('node:https')))
      : (process.getBuiltinModule?.('node:http') ?? (await import('node:http')));
  const body =
    req.body === undefined
      ? undefined
      : typeof req.body === 'string'
        ? Buffer.from(req.body)
        : req.body;
  return new Promise<HttpAnswer>((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: req.method,
        headers: {
          ...headers,
          ...(body !== undefined || req.method === 'POST'
            ? { 'content-length': String(body?.byteLength ?? 0) }
            : {}),
        },
        signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers as IncomingHttpHeaders,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

async function attemptOnce(
  req: HttpRequest,
  timeoutMs: number,
  dispatcher: Dispatcher | undefined,
  userAgent: string,
  outer: AbortSignal | undefined,
): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  // A real timer on purpose: the injected clock paces retries and the budget, but a fake
  // clock's instant sleep must not abort requests that are still in flight.
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new AttemptTimeout());
  }, timeoutMs);
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  const headers = { 'user-agent': userAgent, ...req.headers };
  try {
    return dispatcher
      ? await undiciRequest(req, headers, dispatcher, signal)
      : await nodeRequest(req, headers, signal);
  } catch (error) {
    if (timedOut) throw new AttemptTimeout();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Sends a request with a per-attempt timeout, retries with exponential backoff and full
 * jitter on what `retry` allows (honouring `Retry-After` when it fits), all within the
 * budget. Never throws: the outcome says what happened.
 */
export async function exchange(
  req: HttpRequest,
  retry: RetryRule,
  options: HttpOptions & { timeoutMs: number; retries: number; budgetMs: number },
): Promise<HttpExchange> {
  const clock = options.clock ?? systemClock;
  const dispatcher = await dispatcherFor(options);
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  const deadline = clock.now() + options.budgetMs;
  let answer: HttpAnswer | undefined;
  let failure: HttpFailure | undefined;
  let attempts = 0;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (options.signal?.aborted) {
      return result(answer, failure, attempts, true, false);
    }
    const remaining = deadline - clock.now();
    if (remaining <= 0) return result(answer, failure, attempts, false, true);
    const timeoutMs = Math.min(options.timeoutMs, remaining);
    attempts++;
    try {
      answer = await attemptOnce(req, timeoutMs, dispatcher, userAgent, options.signal);
      failure = undefined;
      if (!retry.status(answer.status)) return result(answer, undefined, attempts, false, false);
    } catch (error) {
      if (options.signal?.aborted) {
        return result(undefined, { code: 'EABORTED', message: 'aborted' }, attempts, true, false);
      }
      answer = undefined;
      failure = describeFailure(error, timeoutMs);
      if (!retry.network) return result(undefined, failure, attempts, false, false);
    }
    if (attempt === options.retries) break;
    let delay = backoffDelay(attempt, {
      baseMs: 500,
      maxMs: 8_000,
      ...(options.random ? { random: options.random } : {}),
    });
    const after = answer ? retryAfterMs(answer.headers['retry-after'], clock.now()) : undefined;
    if (after !== undefined) delay = Math.max(delay, after);
    if (clock.now() + delay >= deadline) return result(answer, failure, attempts, false, true);
    try {
      await clock.sleep(delay, options.signal);
    } catch {
      return result(answer, failure, attempts, true, false);
    }
  }
  return result(answer, failure, attempts, false, false);
}

function result(
  answer: HttpAnswer | undefined,
  failure: HttpFailure | undefined,
  attempts: number,
  aborted: boolean,
  budgetExhausted: boolean,
): HttpExchange {
  return {
    ...(answer ? { answer } : {}),
    ...(failure ? { failure } : {}),
    attempts,
    aborted,
    budgetExhausted,
  };
}
