import type { HealthchecksApi } from './api-client.ts';
import type {
  Check,
  CheckRef,
  DeregisterResult,
  RegisterResult,
  RegisterSpec,
} from './api-types.ts';
import { HeartbeatError } from './errors.ts';

/** Creates or updates a check by its unique fields; see `HealthchecksApi.register`. */
export async function registerCheck(
  api: HealthchecksApi,
  spec: RegisterSpec,
): Promise<RegisterResult> {
  if (typeof spec.name !== 'string' || spec.name.trim() === '') {
    throw new HeartbeatError('E_INVALID_INPUT', 'register needs a check name');
  }
  const unique = spec.unique ?? (spec.slug ? ['slug'] : ['name']);
  const { check, created } = await api.createCheck({ ...spec, unique });
  if (typeof check.ping_url !== 'string') {
    throw new HeartbeatError(
      'E_BAD_RESPONSE',
      `register "${spec.name}": the answer has no ping URL; is the API key read-only?`,
    );
  }
  return { check, created, pingUrl: check.ping_url };
}

function describe(ref: CheckRef): string {
  if ('uuid' in ref) return 'the check';
  if ('slug' in ref) return `slug "${ref.slug}"`;
  return `name "${ref.name}"`;
}

/** Deletes the checks a reference names; see `HealthchecksApi.deregister`. */
export async function deregisterCheck(
  api: HealthchecksApi,
  ref: CheckRef,
  options: { all?: boolean },
): Promise<DeregisterResult> {
  let uuids: string[];
  if ('uuid' in ref) {
    uuids = [ref.uuid];
  } else {
    let matches: Check[];
    if ('slug' in ref) {
      if (ref.slug === '')
        throw new HeartbeatError('E_INVALID_INPUT', 'deregister: the slug is empty');
      matches = (await api.listChecks({ slug: ref.slug })).filter((c) => c.slug === ref.slug);
    } else {
      if (ref.name === '')
        throw new HeartbeatError('E_INVALID_INPUT', 'deregister: the name is empty');
      matches = (await api.listChecks()).filter((c) => c.name === ref.name);
    }
    if (matches.length > 1 && !options.all) {
      throw new HeartbeatError(
        'E_AMBIGUOUS',
        `deregister: ${describe(ref)} matches ${matches.length} checks; delete one by UUID, or all of them with all (--all)`,
      );
    }
    uuids = [];
    for (const c of matches) {
      if (typeof c.uuid !== 'string') {
        throw new HeartbeatError(
          'E_UNAUTHORIZED',
          'deregister: the API key is read-only; use the read-write key',
        );
      }
      uuids.push(c.uuid);
    }
  }
  const deleted: Check[] = [];
  for (const uuid of uuids) {
    try {
      deleted.push(await api.deleteCheck(uuid));
    } catch (error) {
      // Deleted by someone else between the lookup and now: the goal is reached.
      if (error instanceof HeartbeatError && error.code === 'E_NOT_FOUND') continue;
      throw error;
    }
  }
  return { deleted, missing: deleted.length === 0 };
}
