/**
 * Splits `items` into arrays of at most `size` (the last one may be shorter), e.g. for APIs
 * that take 10, 20 or 100 ids a call.
 *
 * @throws RangeError when `size` is not a positive integer.
 * @example
 * ```ts
 * chunk(['a', 'b', 'c'], 2); // [['a', 'b'], ['c']]
 * ```
 */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`chunk size must be a positive integer, not ${size}`);
  }
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
