/** One order as the export file holds it (one JSON object per line). */
export interface Order {
  id: string;
  placedAt: string;
  currency: string;
  amountCents: number;
  status: 'paid' | 'refunded' | 'pending';
}

/** Totals of paid orders per currency, and how many orders were read. */
export interface OrdersSummary {
  orders: number;
  paid: number;
  refunded: number;
  /** Currency -> total of paid orders, in cents. */
  totalsCents: Record<string, number>;
}

/**
 * Reads JSON-lines orders and totals the paid ones per currency. A malformed line is an error
 * that names its line number, so a broken export fails the run (and the check) loudly.
 */
export function summariseOrders(jsonLines: string): OrdersSummary {
  const summary: OrdersSummary = { orders: 0, paid: 0, refunded: 0, totalsCents: {} };
  for (const [i, line] of jsonLines.split('\n').entries()) {
    if (line.trim() === '') continue;
    const order = parseOrder(line, i + 1);
    summary.orders++;
    if (order.status === 'refunded') summary.refunded++;
    if (order.status !== 'paid') continue;
    summary.paid++;
    summary.totalsCents[order.currency] =
      (summary.totalsCents[order.currency] ?? 0) + order.amountCents;
  }
  return summary;
}

function parseOrder(line: string, lineNumber: number): Order {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`orders line ${lineNumber} is not JSON`);
  }
  const o = value as Partial<Order>;
  if (
    typeof o.id !== 'string' ||
    typeof o.currency !== 'string' ||
    !Number.isInteger(o.amountCents) ||
    !['paid', 'refunded', 'pending'].includes(String(o.status))
  ) {
    throw new Error(
      `orders line ${lineNumber} is not an order (needs id, currency, integer amountCents, status)`,
    );
  }
  return o as Order;
}
