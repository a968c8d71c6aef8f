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
   * undici dispatcher. Default: one shared `EnvHttpProxyAgent`, which honours `HTTP_PROXY`,
   * `HTTPS_PROXY` and `NO_PROXY`. Pass a `MockAgent` in tests.
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
let sharedDispatcher: Dispatcher | undefined;

// undici is loaded on the first request, not at import: a CLI answering --help or a usage
// error never pays for it, and `heartbeat run` loads it while the command already runs.
function loadUndici(): Promise<Undici> {
  undici ??= import('undici');
  return undici;
}

/** The shared proxy-aware dispatcher, created on first use (so it reads the env then). */
async function defaultDispatcher(): Promise<Dispatcher> {
  const { EnvHttpProxyAgent } = await loadUndici();
  sharedDispatcher ??= new EnvHttpProxyAgent();
  return sharedDispatcher;
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

async function attemptOnce(
  request: Undici['request'],
  req: HttpRequest,
  timeoutMs: number,
  dispatcher: Dispatcher,
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
  try {
    const res = await request(req.url, {
      method: req.method,
      headers: { 'user-agent': userAgent, ...req.headers },
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
      dispatcher,
    });
    const body = Buffer.from(await res.body.arrayBuffer());
    // undici frees the connection for reuse only on a later turn of the event loop: without
    // this, a ping sent right after another (the final ping after `start`) opens a second
    // connection, which over TLS costs a full handshake more.
    await new Promise((resolve) => setImmediate(resolve));
    return { status: res.statusCode, headers: res.headers, body };
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
  const { request } = await loadUndici();
  const dispatcher = options.dispatcher ?? (await defaultDispatcher());
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
      answer = await attemptOnce(request, req, timeoutMs, dispatcher, userAgent, options.signal);
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
