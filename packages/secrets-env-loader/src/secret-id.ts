import { quoteInput } from '@berth/internal';
import { SecretsEnvError } from './errors.ts';

/** A checked secret id: one secret by name or ARN, or every secret under a name prefix. */
export type ParsedSecretId =
  | { kind: 'name' | 'arn'; id: string }
  | { kind: 'prefix'; id: string; prefix: string };

const NAME_CHARS = /^[A-Za-z0-9/_+=.@-]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;

/** Shortest prefix before `*`: shorter ones would match far more secrets than anyone means. */
export const MIN_PREFIX_LENGTH = 3;

/**
 * Checks a secret id: a name, an ARN, or a name prefix ending in `*` (at least
 * {@link MIN_PREFIX_LENGTH} characters before it).
 *
 * @throws SecretsEnvError `E_INVALID_SECRET_ID` (exit code 2) saying what is wrong.
 */
export function parseSecretId(id: string): ParsedSecretId {
  const bad = (why: string) =>
    new SecretsEnvError('E_INVALID_SECRET_ID', `invalid secret id ${quoteInput(id)}: ${why}`, {
      secretId: id,
    });
  if (id === '') throw bad('it is empty; give a secret name, an ARN, or a name prefix ending in *');
  if (id.endsWith('*')) {
    const prefix = id.slice(0, -1);
    if (prefix.includes('*')) throw bad('only one * is allowed, at the end (a name prefix)');
    if (prefix.startsWith('arn:'))
      throw bad('a prefix (ending in *) must be a secret name prefix, not an ARN');
    if (prefix.length < MIN_PREFIX_LENGTH) {
      throw bad(`a prefix needs at least ${MIN_PREFIX_LENGTH} characters before the *, e.g. app/*`);
    }
    if (!NAME_CHARS.test(prefix)) throw bad('secret names use only letters, digits and /_+=.@-');
    return { kind: 'prefix', id, prefix };
  }
  if (id.includes('*'))
    throw bad('* is allowed only at the end, to load every secret under a name prefix');
  if (id.startsWith('arn:')) {
    if (!SECRET_ARN.test(id)) {
      throw bad(
        'not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>)',
      );
    }
    return { kind: 'arn', id };
  }
  if (id.length > 512) throw bad('secret names are at most 512 characters');
  if (!NAME_CHARS.test(id)) throw bad('secret names use only letters, digits and /_+=.@-');
  return { kind: 'name', id };
}

/** Rejects a stage together with an id, and empty values of either. */
export function checkVersion(secretId: string, versionStage?: string, versionId?: string): void {
  if (versionStage !== undefined && versionId !== undefined) {
    throw new SecretsEnvError(
      'E_INPUT',
      `secret ${quoteInput(secretId)}: give a version stage or a version id, not both`,
      { secretId },
    );
  }
  if (versionStage === '' || versionId === '') {
    throw new SecretsEnvError(
      'E_INPUT',
      `secret ${quoteInput(secretId)}: an empty version stage or id`,
      {
        secretId,
      },
    );
  }
}

/** True when a GetSecretValue / BatchGetSecretValue entry is the secret `requested` names. */
export function matchesSecret(requested: string, entry: { arn: string; name: string }): boolean {
  if (requested === entry.name || requested === entry.arn) return true;
  // A partial ARN (without the random 6-character suffix) names the secret too.
  return (
    requested.startsWith('arn:') &&
    entry.arn.length === requested.length + 7 &&
    entry.arn.startsWith(`${requested}-`)
  );
}

/**
 * True when two ids name the same secret: equal, or an ARN (full, or partial without the
 * 6-character suffix) and the name inside it.
 */
export function sameSecretId(a: string, b: string): boolean {
  if (a === b) return true;
  const nameIn = (arn: string) => arn.slice(arn.indexOf(':secret:') + ':secret:'.length);
  for (const [arn, other] of [
    [a, b],
    [b, a],
  ] as const) {
    if (!arn.startsWith('arn:') || !arn.includes(':secret:')) continue;
    const name = nameIn(arn);
    if (other.startsWith('arn:')) {
      if (matchesSecret(other, { arn, name: '' })) return true;
      continue;
    }
    if (name === other) return true;
    if (name.length === other.length + 7 && name.startsWith(`${other}-`)) return true;
  }
  return false;
}
