import { describe, expect, it } from 'vitest';
import { pickPriority, preferredPriority } from './priority.ts';

describe('rule priority', () => {
  it('derives a stable priority from the name, within the range', () => {
    const p = preferredPriority('pr-123', 1000, 50000);
    expect(p).toBe(preferredPriority('pr-123', 1000, 50000));
    expect(p).toBeGreaterThanOrEqual(1000);
    expect(p).toBeLessThanOrEqual(50000);
    expect(preferredPriority('pr-124', 1000, 50000)).not.toBe(p);
  });

  it('probes past taken priorities and wraps around the range', () => {
    const p = preferredPriority('x', 10, 20);
    expect(pickPriority('x', new Set(), 10, 20)).toBe(p);
    expect(pickPriority('x', new Set([p, p + 1 > 20 ? 10 : p + 1]), 10, 20)).toBe(
      ((p - 10 + 2) % 11) + 10,
    );
    const all = new Set(Array.from({ length: 11 }, (_, i) => 10 + i));
    expect(pickPriority('x', all, 10, 20)).toBeUndefined();
    all.delete(p === 10 ? 20 : p - 1);
    expect(pickPriority('x', all, 10, 20)).toBe(p === 10 ? 20 : p - 1);
  });
});
