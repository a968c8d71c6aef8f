import { quoteInput } from '@berth/internal';
import type { CheckFields, CheckSpec, UniqueField } from './api-types.ts';
import { HeartbeatError } from './errors.ts';

const UNIQUE: readonly UniqueField[] = ['name', 'slug', 'tags', 'timeout', 'grace'];
const MIN_SECONDS = 60;
const MAX_SECONDS = 31_536_000;

function invalid(message: string): HeartbeatError {
  return new HeartbeatError('E_INPUT', message);
}

/** Whether `value` is one of the fields `unique` accepts. */
export function isUniqueField(value: string): value is UniqueField {
  return (UNIQUE as readonly string[]).includes(value);
}

/**
 * Checks the fields the API would refuse, before sending (so nothing is half-done), and
 * returns the JSON body: tags joined with spaces, undefined fields left out.
 */
export function checkSpecBody(spec: CheckSpec): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(spec) as [keyof CheckSpec, unknown][]) {
    if (value !== undefined) body[key] = value;
  }
  if (spec.tags !== undefined && typeof spec.tags !== 'string') {
    const tags = [...spec.tags];
    const bad = tags.find((t) => t === '' || /\s/.test(t));
    if (bad !== undefined)
      throw invalid(`tag ${quoteInput(bad)} is empty or has spaces; tags are single words`);
    body.tags = tags.join(' ');
  }
  // Counted as the server counts: characters (code points), not UTF-16 units.
  const nameLength = spec.name === undefined ? 0 : [...spec.name].length;
  if (nameLength > 100) {
    throw invalid(`name is ${nameLength} characters; the limit is 100`);
  }
  if (spec.slug !== undefined) {
    if (!/^[a-z0-9-_]*$/.test(spec.slug)) {
      throw invalid(`slug ${quoteInput(spec.slug)} may only hold lowercase a-z, 0-9, - and _`);
    }
    if (spec.slug.length > 100) throw invalid('slug is longer than 100 characters');
  }
  for (const key of ['timeout', 'grace'] as const) {
    const v = spec[key];
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v < MIN_SECONDS || v > MAX_SECONDS) {
      throw invalid(
        `${key} must be whole seconds from 60 (1 minute) to 31536000 (365 days), got ${v}`,
      );
    }
  }
  if (spec.timeout !== undefined && spec.schedule !== undefined) {
    throw invalid('give either timeout (a period) or schedule (cron), not both');
  }
  if (spec.schedule !== undefined && (spec.schedule.trim() === '' || spec.schedule.length > 100)) {
    throw invalid('schedule must be a cron or OnCalendar expression of at most 100 characters');
  }
  if (spec.methods !== undefined && spec.methods !== '' && spec.methods !== 'POST') {
    throw invalid(`methods must be "" or "POST", got ${quoteInput(spec.methods)}`);
  }
  if (spec.unique !== undefined) {
    const bad = spec.unique.find((u) => !isUniqueField(u));
    if (bad !== undefined)
      throw invalid(`unique field ${quoteInput(bad)} is not one of ${UNIQUE.join(', ')}`);
    for (const u of spec.unique) {
      if (spec[u] === undefined) {
        throw invalid(
          `unique names "${u}" but no ${u} is given: the server could match nothing and add a duplicate`,
        );
      }
    }
    body.unique = [...spec.unique];
  }
  return body;
}

/** Fields of an update, checked like a create. */
export function checkFieldsBody(fields: CheckFields): Record<string, unknown> {
  return checkSpecBody(fields);
}
