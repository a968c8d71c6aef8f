import { type Clock, quoteInput, systemClock } from '@berth/internal';
import { SgIpWindowError } from './errors.ts';
import { type IpFamily, nonPublicReason, parseIpAddress } from './ip-address.ts';
import { defaultIpSources, type IpSource } from './ip-sources.ts';

/** Options of {@link detectPublicIp}. */
export interface DetectPublicIpOptions {
  /** How long the whole race may take (default 5000 ms). */
  timeoutMs?: number;
  /** Sources raced (default {@link defaultIpSources}); replace them on corporate networks. */
  sources?: readonly IpSource[];
  /** Accept only this family (default: the first valid answer of either). */
  family?: IpFamily;
  /** Aborts the race. */
  signal?: AbortSignal;
  /** Injected for tests (its `sleep` drives the timeout). */
  clock?: Clock;
}

/** A source that gave no usable answer, and why. */
export interface IpSourceFailure {
  source: string;
  reason: string;
}

/** The winner of the race. */
export interface DetectedIp {
  /** The public address, canonical form. */
  ip: string;
  family: IpFamily;
  /** Name of the source that answered first with a valid address. */
  source: string;
  /** Time to the winning answer, in ms. */
  elapsedMs: number;
  /** Sources that had already failed when the winner answered. */
  failures: IpSourceFailure[];
}

function describe(error: unknown): string {
  const e = error as { name?: string; code?: string; message?: string; cause?: unknown };
  if (e?.name === 'AbortError' || e?.code === 'ECANCELLED') return 'cancelled';
  const cause = e?.cause as { code?: string; message?: string } | undefined;
  if (cause?.code) return `${e.message ?? 'failed'} (${cause.code})`;
  if (e?.code) return `${e.code}`;
  return e?.message ?? String(error);
}

/** Checks one raw answer; returns the address or why it is not acceptable. */
function validateAnswer(
  raw: string,
  family: IpFamily | undefined,
): { ok: true; ip: string; family: IpFamily } | { ok: false; reason: string } {
  const text = raw.trim();
  const ip = parseIpAddress(text);
  if (!ip) return { ok: false, reason: `not an IP address: ${quoteInput(text, 40)}` };
  const reserved = nonPublicReason(ip);
  if (reserved) return { ok: false, reason: `${ip.address} is not public (${reserved})` };
  if (family !== undefined && ip.family !== family) {
    return { ok: false, reason: `${ip.address} is IPv${ip.family}, IPv${family} was asked for` };
  }
  return { ok: true, ip: ip.address, family: ip.family };
}

/**
 * Finds this machine's public address: asks every source at once and takes the first answer
 * that is a public unicast IPv4 or IPv6 address (private, loopback, link-local, CGNAT,
 * documentation and other reserved ranges are rejected). The other requests are aborted.
 *
 * @throws SgIpWindowError `E_IP_DETECTION_FAILED` (retryable) listing each source's failure.
 * @example
 * ```ts
 * const { ip, source } = await detectPublicIp({ timeoutMs: 3000 });
 * console.log(`${ip} (answered by ${source})`);
 * ```
 */
export function detectPublicIp(options: DetectPublicIpOptions = {}): Promise<DetectedIp> {
  const sources = options.sources ?? defaultIpSources();
  const timeoutMs = options.timeoutMs ?? 5000;
  const clock = options.clock ?? systemClock;
  if (sources.length === 0) {
    return Promise.reject(
      new SgIpWindowError('E_INPUT', 'no IP source given: pass at least one source', {
        exitCode: 2,
      }),
    );
  }
  const started = performance.now();
  const race = new AbortController();
  const stopTimer = new AbortController();
  const onOuterAbort = () => race.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });

  return new Promise<DetectedIp>((resolve, reject) => {
    const failures: IpSourceFailure[] = [];
    const pending = new Set(sources.map((s) => s.name));
    let settled = false;
    const finish = () => {
      settled = true;
      stopTimer.abort();
      race.abort(new DOMException('another source answered first', 'AbortError'));
      options.signal?.removeEventListener('abort', onOuterAbort);
    };
    const giveUp = (why: string) => {
      if (settled) return;
      for (const name of pending) failures.push({ source: name, reason: why });
      finish();
      const list = failures.map((f) => `  ${f.source}: ${f.reason}`).join('\n');
      reject(
        new SgIpWindowError(
          'E_IP_DETECTION_FAILED',
          `could not detect this machine's public IP address:\n${list}\n` +
            'Pass the address explicitly (--ip <address>, the ip option), or point to sources ' +
            'that work on this network (--ip-source).',
          { retryable: true },
        ),
      );
    };

    for (const source of sources) {
      let answer: Promise<string>;
      try {
        answer = source.lookup(race.signal);
      } catch (error) {
        answer = Promise.reject(error);
      }
      answer.then(
        (raw) => {
          if (settled) return;
          pending.delete(source.name);
          const result = validateAnswer(raw, options.family);
          if (result.ok) {
            finish();
            resolve({
              ip: result.ip,
              family: result.family,
              source: source.name,
              elapsedMs: performance.now() - started,
              failures,
            });
            return;
          }
          failures.push({ source: source.name, reason: result.reason });
          if (pending.size === 0) giveUp('');
        },
        (error: unknown) => {
          if (settled) return;
          pending.delete(source.name);
          failures.push({ source: source.name, reason: describe(error) });
          if (pending.size === 0) giveUp('');
        },
      );
    }

    if (options.signal?.aborted) giveUp('cancelled');
    clock.sleep(timeoutMs, stopTimer.signal).then(
      () => giveUp(`no answer within ${timeoutMs} ms`),
      () => undefined,
    );
    race.signal.addEventListener('abort', () => giveUp('cancelled'), { once: true });
  });
}
