import type { LoadedSecretsWithValues } from './load-secrets.ts';

/** Shortest value of an expanded JSON key that is masked: `1`, `on`, `443` would mask too much. */
export const MIN_EXPANDED_MASK = 4;

/**
 * The values `exec --mask-output` hides: every whole value read (a JSON secret's full text
 * too), every variable's value except the short ones that come from one key of an expanded
 * JSON value, and each line (of 4 characters or more) of a multi-line value, which a
 * program may print alone.
 */
export function maskValues(loaded: LoadedSecretsWithValues): string[] {
  const expanded = new Set(loaded.expanded);
  const values = new Set<string>(loaded.wholeValues);
  for (const [name, value] of Object.entries(loaded.vars)) {
    if (!expanded.has(name) || value.length >= MIN_EXPANDED_MASK) values.add(value);
  }
  for (const value of [...values]) {
    if (!/[\r\n]/.test(value)) continue;
    for (const line of value.split(/\r?\n/)) {
      if (line.trim().length >= MIN_EXPANDED_MASK) values.add(line);
    }
  }
  values.delete('');
  return [...values];
}
