/**
 * Masks all but the last `keep` characters of a token (API keys, ping UUIDs), so logs can
 * tell two tokens apart without revealing either.
 */
export function maskToken(value: string, keep = 4): string {
  if (value.length <= keep) return '*'.repeat(value.length);
  return `${'*'.repeat(Math.min(8, value.length - keep))}${value.slice(-keep)}`;
}
