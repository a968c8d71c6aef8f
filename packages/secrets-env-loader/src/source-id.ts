import { quoteInput } from '@berth/internal';
import { SecretsEnvError } from './errors.ts';
import { type ParsedSecretId, parseSecretId } from './secret-id.ts';

/**
 * A checked source id: a Secrets Manager secret or prefix set (unprefixed, or `sm:`), or an
 * SSM Parameter Store parameter or path (`ssm:`, or a parameter ARN).
 */
export type ParsedSource =
  | ({ store: 'secretsmanager' } & ParsedSecretId)
  | {
      store: 'ssm';
      kind: 'parameter';
      /** The parameter name or ARN as sent to GetParameters. */
      id: string;
    }
  | {
      store: 'ssm';
      kind: 'path';
      /** The path as sent to GetParametersByPath, ending in `/`. */
      id: string;
    };

const SSM_NAME = /^[A-Za-z0-9_.\-/]+$/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/?[A-Za-z0-9_.\-/]+$/;
/** Longest parameter name (the ARN may be longer, up to 2048 characters). */
const MAX_SSM_NAME = 1011;
const MAX_SSM_ARN = 2048;

/** The scheme a source id starts with, if any. */
export function sourceScheme(id: string): 'sm' | 'ssm' | undefined {
  if (id.startsWith('ssm:')) return 'ssm';
  if (id.startsWith('sm:')) return 'sm';
  if (/^arn:aws[a-z-]*:ssm:/.test(id)) return 'ssm';
  return undefined;
}

/**
 * Checks a source id. Secrets Manager stays the default: a name, an ARN, or a name prefix
 * ending in `*` (or any of them after `sm:`). SSM Parameter Store: `ssm:/app/prod/DB_URL`
 * (one parameter; a parameter ARN works too, with or without `ssm:`), `ssm:/app/prod/` or
 * `ssm:/app/prod/*` (every parameter under the path, recursively).
 *
 * @throws SecretsEnvError `E_INVALID_SECRET_ID` (exit code 2) saying what is wrong.
 */
export function parseSourceId(id: string): ParsedSource {
  if (id.startsWith('sm:')) return { store: 'secretsmanager', ...parseSecretId(id.slice(3)) };
  if (!id.startsWith('ssm:') && sourceScheme(id) !== 'ssm') {
    return { store: 'secretsmanager', ...parseSecretId(id) };
  }
  const rest = id.startsWith('ssm:') ? id.slice(4) : id;
  const bad = (why: string) =>
    new SecretsEnvError(
      'E_INVALID_SECRET_ID',
      `invalid SSM parameter source ${quoteInput(id)}: ${why}`,
      {
        secretId: id,
      },
    );
  if (rest === '') throw bad('name a parameter (ssm:/app/prod/DB_URL) or a path (ssm:/app/prod/)');
  if (rest.startsWith('arn:')) {
    if (rest.length > MAX_SSM_ARN) throw bad(`an ARN is at most ${MAX_SSM_ARN} characters`);
    if (!SSM_ARN.test(rest)) {
      throw bad(
        'not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>); a path cannot be given as an ARN',
      );
    }
    return { store: 'ssm', kind: 'parameter', id: rest };
  }
  let path = rest;
  if (path.endsWith('/*')) path = path.slice(0, -1);
  if (path.includes('*')) {
    throw bad(
      '* is allowed only at the end of a path (ssm:/app/prod/*), meaning every parameter under it',
    );
  }
  if (path.length > MAX_SSM_NAME)
    throw bad(`parameter names are at most ${MAX_SSM_NAME} characters`);
  if (!SSM_NAME.test(path)) {
    throw bad('parameter names use only letters, digits and _.-/');
  }
  if (path.includes('//')) throw bad('a parameter name has no empty path segment (//)');
  if (path.endsWith('/')) {
    if (!path.startsWith('/')) throw bad('a path starts with / (ssm:/app/prod/)');
    if (path === '/') {
      throw bad(
        'name a path below the root (ssm:/app/prod/): the whole account is too much to load',
      );
    }
    return { store: 'ssm', kind: 'path', id: path };
  }
  if (path.includes('/') && !path.startsWith('/')) {
    throw bad('a hierarchical parameter name starts with / (ssm:/app/prod/DB_URL)');
  }
  return { store: 'ssm', kind: 'parameter', id: path };
}

/** The parameter name inside an SSM parameter ARN (`.../parameter/app/x` -> `/app/x`). */
export function parameterNameOfArn(arn: string): string {
  const at = arn.indexOf(':parameter');
  if (at < 0) return arn;
  const tail = arn.slice(at + ':parameter'.length);
  // `parameter/app/x` names `/app/x`; `parameter/x` names `x`.
  const name = tail.startsWith('/') ? tail.slice(1) : tail;
  return name.includes('/') ? `/${name}` : name;
}
