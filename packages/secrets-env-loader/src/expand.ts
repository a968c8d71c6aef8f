import { quoteInput } from '@berth/internal';
import type { SecretFailure } from './errors.ts';
import { isJsonObject, type Json, parseJsonObject } from './json-object.ts';
import { lastPathSegment, type NameTransform, variableName } from './names.ts';
import type { SecretValue } from './secret-value.ts';

/** One variable made from a secret. */
export interface ExpandedVariable {
  name: string;
  value: string;
  /** The JSON key path it came from (absent for a whole-secret variable). */
  jsonPath?: readonly string[];
}

/** How one secret turns into variables. */
export interface ExpandOptions {
  /** Name of a plain secret, or prefix of a JSON secret's keys. */
  alias?: string;
  /** The secret was found under a prefix: the alias is always a prefix, never a whole name. */
  fromPrefix: boolean;
  /**
   * Name parts of the value itself (an SSM parameter's path below the requested path, or
   * its last segment): the variable of a whole value is named by them (after the alias),
   * and prefix the keys of an expanded JSON value found under a path.
   */
  nameParts?: readonly string[];
  /** `true`: must be a JSON object; `false`: never expanded; absent: expanded when it is one. */
  json?: boolean;
  transform: NameTransform;
  /** The id as requested, for failures. */
  secretId: string;
}

/**
 * Turns one secret value into variables: a JSON object key by key (nested keys joined with
 * `_`, arrays, numbers, booleans and null as their JSON text), anything else as one variable
 * named by the alias or the last segment of the secret name; binary as base64.
 */
export function expandSecret(
  secret: SecretValue,
  options: ExpandOptions,
): { ok: true; vars: ExpandedVariable[] } | { ok: false; failure: SecretFailure } {
  const fail = (code: SecretFailure['code'], reason: string) => ({
    ok: false as const,
    failure: { secretId: options.secretId, code, reason },
  });
  const aliasParts = options.alias === undefined || options.alias === '' ? [] : [options.alias];
  const parsed: ReturnType<typeof parseJsonObject> =
    options.json === false ? { holds: 'text' } : parseJsonObject(secret.text);
  const object = parsed.object;

  if (object === undefined) {
    if (options.json === true) {
      return fail(
        'E_NOT_JSON',
        `not a JSON object (it holds ${'holds' in parsed ? parsed.holds : 'something else'}); drop the json option to load it as one variable`,
      );
    }
    const value =
      secret.text ??
      (secret.binary === undefined ? '' : Buffer.from(secret.binary).toString('base64'));
    const own = options.nameParts ?? [lastPathSegment(secret.name)];
    const parts =
      aliasParts.length > 0 && !options.fromPrefix ? aliasParts : [...aliasParts, ...own];
    const name = variableName(parts, options.transform);
    if (name === undefined)
      return fail(
        'E_INVALID_NAME',
        `cannot name a variable after ${quoteInput(secret.name)}; give an alias`,
      );
    return { ok: true, vars: [{ name, value }] };
  }

  // Under an SSM path, an expanded value's keys keep the parameter's own name in front.
  const keyPrefix = options.fromPrefix && options.nameParts ? [...options.nameParts] : [];
  const vars: ExpandedVariable[] = [];
  const walk = (node: { [key: string]: Json }, path: string[]): string | undefined => {
    for (const [key, value] of Object.entries(node)) {
      const here = [...path, key];
      if (isJsonObject(value)) {
        const bad = walk(value, here);
        if (bad !== undefined) return bad;
        continue;
      }
      const name = variableName([...aliasParts, ...keyPrefix, ...here], options.transform);
      if (name === undefined) return here.map((k) => quoteInput(k)).join(' > ');
      vars.push({
        name,
        value: typeof value === 'string' ? value : JSON.stringify(value),
        jsonPath: here,
      });
    }
    return undefined;
  };
  const badPath = walk(object, []);
  if (badPath !== undefined) {
    return fail(
      'E_INVALID_NAME',
      `JSON key path ${badPath} has an empty key, which cannot name a variable`,
    );
  }
  return { ok: true, vars };
}
