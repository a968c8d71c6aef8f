import { defaultBodyLimit, fitBody, type PingBody } from './body-fit.ts';
import { HeartbeatError } from './errors.ts';
import {
  attemptsText,
  exchange,
  type HttpExchange,
  type HttpOptions,
  noAnswerReason,
  type RetryRule,
} from './http.ts';
import {
  maskSecrets,
  type PingTargetOptions,
  pingEndpoint,
  type ResolvedTarget,
  resolveTarget,
  UUID_PATTERN,
} from './ping-target.ts';
import { newRunId } from './run-id.ts';
import { serverText } from './server-text.ts';

/** What a ping reports: the job started, succeeded, failed, a log line, or an exit status. */
export type PingKind = 'start' | 'success' | 'fail' | 'log' | 'exit-status';

/** What a ping resolved to. Pings never reject unless `strict` is set. */
export interface PingResult {
  /** True when the server accepted the ping (2xx, and not a hosted `OK (...)` refusal). */
  ok: boolean;
  /** HTTP status of the last answer; 0 when no answer came. */
  status: number;
  /** The server's answer text (`OK`, `Created`, `OK (not found)`, ...), or '' without one. */
  text: string;
  /** Requests made (1 + retries used). */
  attempts: number;
  kind: PingKind;
  /** The exit status sent, for `exit-status` pings. */
  exitStatus?: number;
  /** The run id sent as `rid`, if any. */
  runId?: string;
  /** True when the server created the check (slug form with `create`: HTTP 201). */
  created: boolean;
  /** Bytes of the body left out to fit the server's ping body limit. */
  bodyCutBytes: number;
  /** Why the ping is not ok, in words (secrets masked). */
  error?: string;
}

/** Options of a {@link Pinger}: where to ping, and how hard to try. */
export interface PingerOptions extends PingTargetOptions, HttpOptions {
  /** Reject with `E_PING_FAILED` instead of resolving `{ ok: false }` (default false). */
  strict?: boolean;
  /**
   * The current run id (a UUID), to continue a run started elsewhere (another process or
   * step): the next `start` and the final ping use it.
   */
  runId?: string;
  /**
   * Ping body limit in bytes until a server states its own: default 100,000 for the hosted
   * service (hc-ping.com, healthchecks.io), else 10,000 (the self-hosted default), so the
   * tail of a body is never cut off by the server.
   */
  bodyLimit?: number;
  /**
   * Called with a one-line message when a ping is not ok (default: `process.emitWarning`);
   * `false` silences it (results still say why).
   */
  onWarning?: ((message: string, result: PingResult) => void) | false;
}

/** Options of one ping call. */
export interface PingCallOptions {
  /** Cancels this ping (it resolves not ok, or rejects in strict mode). */
  signal?: AbortSignal;
  /** Budget of this ping instead of the pinger's (ms; 0 sends nothing). */
  budgetMs?: number;
}

/** Per-attempt timeout of a ping (ms). */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;
/** Retries of a ping after its first attempt. */
export const DEFAULT_PING_RETRIES = 3;
/** Time one ping may take, retries and waits included (ms). */
export const DEFAULT_PING_BUDGET_MS = 30_000;

const PING_RETRY: RetryRule = {
  status: (s) => s === 408 || s === 429 || s >= 500,
  network: true,
};

function defaultWarning(message: string): void {
  process.emitWarning(message, { type: 'HeartbeatWarning', code: 'HEARTBEAT_PING_NOT_OK' });
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Sends pings for one check: `start`, `success`, `fail`, `log` and exit statuses, each a
 * POST (text/plain body), with a per-attempt timeout, retries with backoff and jitter, and an
 * overall budget. A run id (UUIDv4) ties each `start` to its final ping. Pings never throw
 * (unless `strict`): they resolve to `{ ok, status, text, attempts }`.
 *
 * @example
 * ```ts
 * const pinger = new Pinger(process.env.HC_PING_URL!);
 * await pinger.start();
 * try {
 *   await backup();
 *   await pinger.success();
 * } catch (error) {
 *   await pinger.fail(String(error));
 *   throw error;
 * }
 * ```
 */
export class Pinger {
  readonly #target: ResolvedTarget;
  readonly #options: PingerOptions;
  #bodyLimit: number;
  #runId: string | undefined;
  /** True while `#runId` came from the options and no `start` has used it yet. */
  #givenRunId: boolean;

  /**
   * @param target a ping URL, or options naming the check and tuning the pings.
   * @throws HeartbeatError `E_INPUT` when the target or an option is invalid.
   */
  constructor(target: string | URL | PingerOptions) {
    const options: PingerOptions =
      typeof target === 'string' || target instanceof URL ? { pingUrl: target } : { ...target };
    this.#target = resolveTarget(options);
    for (const [name, value, min] of [
      ['timeoutMs', options.timeoutMs, 1],
      ['retries', options.retries, 0],
      ['budgetMs', options.budgetMs, 1],
      ['bodyLimit', options.bodyLimit, 1],
    ] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
        throw new HeartbeatError('E_INPUT', `${name} must be an integer >= ${min}, got ${value}`);
      }
    }
    if (options.runId !== undefined && !UUID_PATTERN.test(options.runId)) {
      throw new HeartbeatError(
        'E_INPUT',
        `runId "${options.runId}" is not a UUID; Healthchecks refuses other run ids`,
      );
    }
    this.#options = options;
    this.#bodyLimit = options.bodyLimit ?? defaultBodyLimit(this.#target.base);
    this.#runId = options.runId?.toLowerCase();
    this.#givenRunId = options.runId !== undefined;
  }

  /** The check's ping URL with its secret part masked, for logs. */
  get display(): string {
    return this.#target.display;
  }

  /** The current run id (set by `start`, or given in the options). */
  get runId(): string | undefined {
    return this.#runId;
  }

  /** Ping body limit in use: the server's `Ping-Body-Limit` once seen, else the default. */
  get bodyLimit(): number {
    return this.#bodyLimit;
  }

  /** Signals that the job started, under a new run id (or the one given in the options). */
  start(body?: PingBody, call?: PingCallOptions): Promise<PingResult> {
    if (!this.#givenRunId) this.#runId = newRunId();
    this.#givenRunId = false;
    return this.#send('start', 'start', body, call);
  }

  /** Signals that the job succeeded. */
  success(body?: PingBody, call?: PingCallOptions): Promise<PingResult> {
    this.#givenRunId = false;
    return this.#send('success', '', body, call);
  }

  /** Signals that the job failed. */
  fail(body?: PingBody, call?: PingCallOptions): Promise<PingResult> {
    this.#givenRunId = false;
    return this.#send('fail', 'fail', body, call);
  }

  /** Adds a log entry to the check without changing its state. */
  log(body: PingBody, call?: PingCallOptions): Promise<PingResult> {
    return this.#send('log', 'log', body, call);
  }

  /** Reports an exit status: 0 is success, 1-255 failure. */
  async exitStatus(code: number, body?: PingBody, call?: PingCallOptions): Promise<PingResult> {
    this.#givenRunId = false;
    if (!Number.isInteger(code) || code < 0 || code > 255) {
      return this.#finish(
        {
          ok: false,
          status: 0,
          text: '',
          attempts: 0,
          kind: 'exit-status',
          created: false,
          bodyCutBytes: 0,
          error: `exit status ${code} is not an integer from 0 to 255; nothing was sent`,
        },
        true,
      );
    }
    return this.#send('exit-status', String(code), body, call, code);
  }

  async #send(
    kind: PingKind,
    suffix: string,
    body: PingBody | undefined,
    call: PingCallOptions | undefined,
    exitStatus?: number,
  ): Promise<PingResult> {
    const runId = this.#runId;
    const fitted = body === undefined ? undefined : fitBody(body, this.#bodyLimit);
    const hasBody = fitted !== undefined && fitted.bytes.length > 0;
    const o = this.#options;
    const signals = [o.signal, call?.signal].filter((x): x is AbortSignal => x !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const outcome = await exchange(
      {
        url: pingEndpoint(this.#target, suffix, runId),
        method: 'POST',
        ...(hasBody
          ? { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: fitted.bytes }
          : {}),
      },
      PING_RETRY,
      {
        ...o,
        timeoutMs: o.timeoutMs ?? DEFAULT_PING_TIMEOUT_MS,
        retries: o.retries ?? DEFAULT_PING_RETRIES,
        budgetMs: call?.budgetMs ?? o.budgetMs ?? DEFAULT_PING_BUDGET_MS,
        ...(signal ? { signal } : {}),
      },
    );
    return this.#finish(this.#interpret(outcome, kind, runId, exitStatus, fitted?.cutBytes ?? 0));
  }

  #interpret(
    outcome: HttpExchange,
    kind: PingKind,
    runId: string | undefined,
    exitStatus: number | undefined,
    bodyCutBytes: number,
  ): PingResult {
    const base = {
      attempts: outcome.attempts,
      kind,
      ...(exitStatus !== undefined ? { exitStatus } : {}),
      ...(runId !== undefined ? { runId } : {}),
      bodyCutBytes,
    };
    const what = `ping ${kind === 'exit-status' ? `exit status ${exitStatus}` : kind} to ${this.#target.display}`;
    const tries = attemptsText(outcome);
    const answer = outcome.answer;
    if (!answer) {
      const why = noAnswerReason(outcome);
      return {
        ...base,
        ok: false,
        status: 0,
        text: '',
        created: false,
        error: this.#mask(
          `${what} failed: ${why} (${tries}${outcome.budgetExhausted ? ', budget spent' : ''})`,
        ),
      };
    }
    const limit = Number(header(answer.headers['ping-body-limit']));
    if (Number.isInteger(limit) && limit > 0) this.#bodyLimit = limit;
    // Masked as well (and never an HTML page): a proxy or a misconfigured server may echo
    // the URL back.
    const said = serverText(answer, this.#target.secrets, 500);
    const text = said.quoted ?? '';
    const shown = said.html ? 'an HTML page' : `"${text.slice(0, 200)}"`;
    if (answer.status >= 200 && answer.status < 300) {
      if (text.startsWith('OK (')) {
        const why =
          text === 'OK (not found)'
            ? 'the server does not know this check; check the ping URL'
            : text === 'OK (rate-limited)'
              ? 'the check is rate-limited and this ping was dropped; ping it less often'
              : 'the server did not record this ping';
        return {
          ...base,
          ok: false,
          status: answer.status,
          text,
          created: false,
          error: `${what}: ${shown}: ${why}`,
        };
      }
      return { ...base, ok: true, status: answer.status, text, created: answer.status === 201 };
    }
    const hint =
      answer.status === 404
        ? 'no such check; check the ping URL (or add create for a slug)'
        : answer.status === 409
          ? 'more than one check has this slug; ping it by UUID'
          : answer.status === 400
            ? 'the server refused the request'
            : answer.status === 429
              ? 'rate-limited; ping less often'
              : answer.status >= 500
                ? 'the server failed'
                : 'unexpected answer';
    return {
      ...base,
      ok: false,
      status: answer.status,
      text,
      created: false,
      error: `${what} failed: HTTP ${answer.status}${text || said.html ? ` ${shown}` : ''}: ${hint} (${tries}${outcome.budgetExhausted ? ', budget spent' : ''})`,
    };
  }

  #mask(text: string): string {
    return maskSecrets(text, this.#target.secrets);
  }

  /** `invalidInput`: nothing was sent because an argument was wrong (not a ping failure). */
  #finish(result: PingResult, invalidInput = false): PingResult {
    if (result.ok) return result;
    const message = result.error ?? `ping ${result.kind} failed`;
    if (this.#options.strict) {
      throw new HeartbeatError(invalidInput ? 'E_INPUT' : 'E_PING_FAILED', message, {
        status: result.status,
        retryable:
          !invalidInput && (result.status === 0 || result.status === 429 || result.status >= 500),
      });
    }
    const warn = this.#options.onWarning;
    if (warn !== false) (warn ?? defaultWarning)(message, result);
    return result;
  }
}
