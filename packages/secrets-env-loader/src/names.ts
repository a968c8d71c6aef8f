/** How variable names are cased: `upper` (default) or as the keys are spelled. */
export type NameTransform = 'upper' | 'none';

const VALID_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when `name` is a portable environment variable name (`[A-Za-z_][A-Za-z0-9_]*`). */
export function isValidVariableName(name: string): boolean {
  return VALID_NAME.test(name);
}

/**
 * Turns one name part (a JSON key, a secret name segment, an alias) into variable-name
 * characters: anything outside `[A-Za-z0-9_]` becomes `_`, then upper case if asked. Sanitising
 * before upper-casing keeps names ASCII (`'ß'.toUpperCase()` is `SS`).
 */
export function sanitizeNamePart(part: string, transform: NameTransform): string {
  const safe = part.replace(/[^A-Za-z0-9_]/g, '_');
  return transform === 'upper' ? safe.toUpperCase() : safe;
}

/**
 * Builds a variable name from its parts (alias, then JSON key path): each part sanitised,
 * joined with `_`, a leading digit prefixed with `_`. Returns `undefined` when a part is
 * empty (an empty JSON key cannot name a variable).
 *
 * An alias that already ends with `_` is not joined with another one (`APP_` + `HOST` gives
 * `APP_HOST`).
 */
export function variableName(
  parts: readonly string[],
  transform: NameTransform,
): string | undefined {
  if (parts.length === 0 || parts.some((p) => p === '')) return undefined;
  let name = '';
  for (const part of parts) {
    const safe = sanitizeNamePart(part, transform);
    name = name === '' || name.endsWith('_') ? `${name}${safe}` : `${name}_${safe}`;
  }
  return /^[0-9]/.test(name) ? `_${name}` : name;
}

/** The last `/`-separated segment of a secret name (`app/dev/db-password` -> `db-password`). */
export function lastPathSegment(secretName: string): string {
  const segments = secretName.split('/').filter((s) => s !== '');
  return segments.at(-1) ?? secretName;
}
