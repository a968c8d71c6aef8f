import { describe, expect, it } from 'vitest';
import { FAKE_CLOCK_START, fakeClock } from './fake-clock.ts';

describe('fakeClock', () => {
  it('instant: sleeping moves time and returns at once; every sleep is recorded', async () => {
    const clock = fakeClock();
    expect(clock.now()).toBe(FAKE_CLOCK_START);
    await clock.sleep(1000);
    await clock.sleep(250);
    expect(clock.now()).toBe(FAKE_CLOCK_START + 1250);
    expect(clock.sleeps).toEqual([1000, 250]);
    expect(clock.slept).toBe(clock.sleeps);
    expect(clock.sleptMs).toBe(1250);
    clock.advance(50);
    expect(clock.now()).toBe(FAKE_CLOCK_START + 1300);
  });

  it('takes a start as a number, a Date or an ISO string, and an onSleep hook', async () => {
    expect(fakeClock(5).now()).toBe(5);
    expect(fakeClock({ start: new Date(7) }).now()).toBe(7);
    expect(fakeClock({ start: '2026-11-20T09:00:00Z' }).now()).toBe(
      Date.parse('2026-11-20T09:00:00Z'),
    );
    const seen: number[] = [];
    const clock = fakeClock(undefined, (ms) => {
      seen.push(ms);
    });
    await clock.sleep(10);
    expect(seen).toEqual([10]);
  });

  it('honours an aborted signal', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(fakeClock().sleep(10, controller.signal)).rejects.toThrow('stop');
    await expect(fakeClock({ mode: 'manual' }).sleep(10, controller.signal)).rejects.toThrow(
      'stop',
    );
  });

  it('manual: a sleep ends only when advance() passes its end, or its signal aborts', async () => {
    const clock = fakeClock({ mode: 'manual' });
    let done = false;
    const sleeping = clock.nextSleep();
    const p = clock.sleep(1000).then(() => {
      done = true;
    });
    expect(await sleeping).toBe(1000);
    expect(clock.pending).toBe(1);
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await p;
    expect(done).toBe(true);
    expect(clock.pending).toBe(0);

    const controller = new AbortController();
    const aborted = clock.sleep(1000, controller.signal);
    controller.abort(new Error('signal'));
    await expect(aborted).rejects.toThrow('signal');
    expect(clock.pending).toBe(0);
  });
});
