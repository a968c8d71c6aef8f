/** A JSON value as `JSON.parse` returns it. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** True for a JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Parses a secret's text as a JSON object. Otherwise says what it holds in words that
 * reveal nothing of the value (`plain text`, `a JSON array`). The parse error itself is
 * dropped on purpose: its message quotes the text.
 */
export function parseJsonObject(
  text: string | undefined,
): { object: { [key: string]: Json } } | { object?: undefined; holds: string } {
  if (text === undefined) return { holds: 'binary data' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { holds: 'plain text' };
  }
  if (isJsonObject(parsed)) return { object: parsed };
  if (Array.isArray(parsed)) return { holds: 'a JSON array' };
  return { holds: parsed === null ? 'JSON null' : `a JSON ${typeof parsed}` };
}
