import type { Clock } from '@berth/internal';

/** Options of {@link fakeClock}. */
export interface FakeClockOptions {
  /** Start time: ms since the epoch, a `Date` or an ISO string (default 2026-01-01T00:00:00Z). */
  start?: number | Date | string;
  /**
   * `instant` (default): `sleep(ms)` moves time forward by `ms` and resolves at once, so
   * polling and retry code runs in microseconds. `manual`: `sleep` resolves only when
   * `advance()` moves time past its end (or rejects when its signal aborts).
   */
  mode?: 'instant' | 'manual';
  /** Called on every sleep (after time moved, in `instant` mode), e.g. to change the world. */
  onSleep?: (ms: number) => void | Promise<void>;
}

/** A {@link Clock} for tests: time moves only when code sleeps or the test advances it. */
export interface FakeClock extends Clock {
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[];
  /** The same array as {@link FakeClock.sleeps} (older name). */
  readonly slept: number[];
  /** Total ms slept. */
  readonly sleptMs: number;
  /** Sleeps not yet over (`manual` mode). */
  readonly pending: number;
  /** Moves time forward; in `manual` mode, resolves the sleeps that are now over. */
  advance(ms: number): void;
  /** Resolves at the next call of `sleep` with its `ms` (e.g. to advance once code waits). */
  nextSleep(): Promise<number>;
}

/** Default start: 2026-01-01T00:00:00Z. */
export const FAKE_CLOCK_START = Date.parse('2026-01-01T00:00:00Z');

/**
 * The one fake clock of the test kit.
 *
 * @example
 * ```ts
 * const clock = fakeClock();                       // sleeps return at once
 * await pollUntilStable({ clock });
 * expect(clock.sleeps).toEqual([5000, 5000]);
 *
 * const manual = fakeClock({ mode: 'manual', start: '2026-11-20T09:00:00Z' });
 * const done = waitForIt({ clock: manual });
 * await manual.nextSleep();
 * manual.advance(60_000);
 * ```
 */
export function fakeClock(
  startOrOptions: number | FakeClockOptions = {},
  onSleep?: (ms: number) => void | Promise<void>,
): FakeClock {
  const options: FakeClockOptions =
    typeof startOrOptions === 'number'
      ? { start: startOrOptions, ...(onSleep ? { onSleep } : {}) }
      : { ...(onSleep ? { onSleep } : {}), ...startOrOptions };
  const start = options.start;
  let now =
    start === undefined
      ? FAKE_CLOCK_START
      : typeof start === 'number'
        ? start
        : start instanceof Date
          ? start.getTime()
          : Date.parse(start);
  if (!Number.isFinite(now)) throw new Error(`fakeClock: bad start ${String(start)}`);
  const manual = options.mode === 'manual';
  const sleeps: number[] = [];
  let sleptMs = 0;
  type Sleeper = { until: number; resolve: () => void };
  let sleepers: Sleeper[] = [];
  let sleepWaiters: ((ms: number) => void)[] = [];

  const wake = () => {
    const due = sleepers.filter((s) => s.until <= now).sort((a, b) => a.until - b.until);
    sleepers = sleepers.filter((s) => s.until > now);
    for (const s of due) s.resolve();
  };

  return {
    sleeps,
    get slept() {
      return sleeps;
    },
    get sleptMs() {
      return sleptMs;
    },
    get pending() {
      return sleepers.length;
    },
    now: () => now,
    advance(ms: number) {
      now += ms;
      wake();
    },
    nextSleep() {
      return new Promise<number>((resolve) => sleepWaiters.push(resolve));
    },
    async sleep(ms: number, signal?: AbortSignal) {
      signal?.throwIfAborted();
      sleeps.push(ms);
      sleptMs += ms;
      const waiting = sleepWaiters;
      sleepWaiters = [];
      for (const w of waiting) w(ms);
      if (!manual) {
        now += ms;
        await options.onSleep?.(ms);
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const sleeper: Sleeper = {
          until: now + ms,
          resolve: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        };
        const onAbort = () => {
          sleepers = sleepers.filter((s) => s !== sleeper);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        sleepers.push(sleeper);
        if (ms <= 0) wake();
      });
      await options.onSleep?.(ms);
    },
  };
}
