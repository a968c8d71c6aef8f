/** Time source and sleep, injected so retry and polling code can be tested without waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Options of {@link backoffDelay}. */
export interface BackoffOptions {
  /** First delay before jitter (default 200 ms). */
  baseMs?: number;
  /** Upper bound of any delay (default 10 s). */
  maxMs?: number;
  /** Source of randomness in [0, 1), injectable for tests. */
  random?: () => number;
}

/**
 * Exponential backoff with "full jitter": a random delay in [base*2^attempt / 2, base*2^attempt],
 * capped. `attempt` counts from 0.
 */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 200;
  const max = options.maxMs ?? 10_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
