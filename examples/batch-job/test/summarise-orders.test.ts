import { describe, expect, it } from 'vitest';
import { summariseOrders } from '../src/summarise-orders.ts';

describe('summariseOrders', () => {
  it('totals paid orders per currency and skips blank lines', () => {
    const lines = [
      '{"id":"a","placedAt":"2026-11-21T01:00:00Z","currency":"EUR","amountCents":100,"status":"paid"}',
      '',
      '{"id":"b","placedAt":"2026-11-21T02:00:00Z","currency":"EUR","amountCents":50,"status":"pending"}',
      '{"id":"c","placedAt":"2026-11-21T03:00:00Z","currency":"JPY","amountCents":700,"status":"paid"}',
    ].join('\n');
    expect(summariseOrders(lines)).toEqual({
      orders: 3,
      paid: 2,
      refunded: 0,
      totalsCents: { EUR: 100, JPY: 700 },
    });
  });

  it('names the line of a malformed order', () => {
    expect(() => summariseOrders('{"id":"a"}\n')).toThrow('orders line 1 is not an order');
    expect(() => summariseOrders('\n{oops\n')).toThrow('orders line 2 is not JSON');
  });
});
