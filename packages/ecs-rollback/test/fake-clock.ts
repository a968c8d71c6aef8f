import type { Clock } from '@berth/internal';

/** A clock whose sleeps advance time at once: polling code runs in microseconds. */
export interface FakeClock extends Clock {
  /** Milliseconds slept in total. */
  slept: number;
  advance(ms: number): void;
}

/** A fake clock starting at `start` (default 2026-01-01T00:00:00Z). */
export function fakeClock(start = Date.parse('2026-01-01T00:00:00Z')): FakeClock {
  let now = start;
  const clock: FakeClock = {
    slept: 0,
    now: () => now,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      now += ms;
      clock.slept += ms;
    },
    advance: (ms) => {
      now += ms;
    },
  };
  return clock;
}
