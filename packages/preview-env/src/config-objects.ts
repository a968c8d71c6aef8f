import { isIPv4, isIPv6 } from 'node:net';
import { parseDuration, quoteInput } from '@berth/internal';
import { PreviewEnvError } from './errors.ts';

/** Sign-in before the preview with an OpenID Connect provider (ALB `authenticate-oidc`). */
export interface OidcAccess {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userInfoEndpoint: string;
  clientId: string;
  /**
   * Where the client secret is: a Secrets Manager secret id (name or ARN), optionally
   * `:<json-key>` for a JSON secret. Read at create time and sent only to ELB.
   */
  clientSecretFrom: string;
  /** Scopes (default `openid`). */
  scope?: string;
}

/** Sign-in before the preview with an Amazon Cognito user pool (ALB `authenticate-cognito`). */
export interface CognitoAccess {
  userPoolArn: string;
  userPoolClientId: string;
  userPoolDomain: string;
  /** Scopes (default `openid`). */
  scope?: string;
}

/** Who may reach a preview (`access` in the configuration). */
export interface AccessConfig {
  /** Only these source addresses (CIDRs, IPv4 or IPv6) reach a preview: at most 4. */
  allowCidrs?: string[];
  oidc?: OidcAccess;
  cognito?: CognitoAccess;
}

/** One hook: a one-off task of the environment's own task definition revision. */
export interface HookConfig {
  /** Command run in the container instead of its own. */
  command: string[];
  /** How long the task may run before it is stopped and the hook fails (ms; default 10 minutes). */
  timeout: number;
  /** Container whose command is replaced (default: the configuration's `container`). */
  container?: string;
}

/** Hooks as written: `timeout` as a duration string (or ms from code). */
export type HookConfigInput = Omit<HookConfig, 'timeout'> & { timeout?: string | number };

/** The hooks (`hooks` in the configuration). */
export interface HooksConfig {
  /** Before every deploy, before the service runs the new revision. */
  predeploy?: HookConfig;
  /** Once, after the first create. */
  postcreate?: HookConfig;
  /** Before delete. */
  predelete?: HookConfig;
}

/** Hooks as written. */
export type HooksConfigInput = { [K in keyof HooksConfig]?: HookConfigInput };

/** ALB: 5 condition values per rule; the host header takes one. */
export const MAX_ALLOW_CIDRS = 4;
export const DEFAULT_HOOK_TIMEOUT_MS = 10 * 60_000;
const HOOK_NAMES = ['predeploy', 'postcreate', 'predelete'] as const;
const CONTAINER = /^[A-Za-z0-9_-]{1,255}$/;

function fail(where: string, problem: string): PreviewEnvError {
  return new PreviewEnvError('E_CONFIG', `${where} ${problem}`);
}

function object(raw: unknown, where: string, what: string): Record<string, unknown> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw) as unknown;
    } catch {
      throw fail(where, `must be ${what} (JSON when set by flag or variable)`);
    }
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw fail(where, `must be ${what}`);
  }
  return value as Record<string, unknown>;
}

function onlyKeys(value: Record<string, unknown>, keys: readonly string[], where: string): void {
  for (const k of Object.keys(value)) {
    if (!keys.includes(k)) {
      throw fail(where, `has unknown key ${quoteInput(k)}; known keys: ${keys.join(', ')}`);
    }
  }
}

function text(value: Record<string, unknown>, key: string, where: string): string {
  const v = value[key];
  if (typeof v !== 'string' || v.trim() === '') {
    throw fail(`${where}.${key}`, 'must be a non-empty string');
  }
  return v.trim();
}

function httpsUrl(value: Record<string, unknown>, key: string, where: string): string {
  const v = text(value, key, where);
  let url: URL | undefined;
  try {
    url = new URL(v);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') {
    throw fail(`${where}.${key}`, `must be an https:// URL, not ${quoteInput(v)}`);
  }
  return v;
}

/** True for an IPv4 or IPv6 CIDR such as `203.0.113.0/24` or `2001:db8::/32`. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash <= 0) return false;
  const address = value.slice(0, slash);
  const bits = value.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  const n = Number(bits);
  if (isIPv4(address)) return n <= 32;
  if (isIPv6(address)) return n <= 128;
  return false;
}

/** Validates `access`: CIDRs, and at most one of `oidc` / `cognito`. */
export function checkAccess(raw: unknown, where: string): AccessConfig {
  const value = object(raw, where, 'a map with allowCidrs, oidc or cognito');
  onlyKeys(value, ['allowCidrs', 'oidc', 'cognito'], where);
  const out: AccessConfig = {};
  if (value.allowCidrs !== undefined) {
    const cidrs = value.allowCidrs;
    if (!Array.isArray(cidrs) || cidrs.length === 0) {
      throw fail(`${where}.allowCidrs`, 'must be a list of CIDRs such as 203.0.113.0/24');
    }
    for (const c of cidrs) {
      if (typeof c !== 'string' || !isCidr(c.trim())) {
        throw fail(
          `${where}.allowCidrs`,
          `has ${typeof c === 'string' ? quoteInput(c) : JSON.stringify(c)}, which is not a CIDR such as 203.0.113.0/24 or 2001:db8::/32`,
        );
      }
    }
    const unique = [...new Set((cidrs as string[]).map((c) => c.trim()))];
    if (unique.length > MAX_ALLOW_CIDRS) {
      throw fail(
        `${where}.allowCidrs`,
        `has ${unique.length} CIDRs; at most ${MAX_ALLOW_CIDRS} fit (an ALB rule takes 5 condition values and the host name uses one): merge them into wider ranges`,
      );
    }
    out.allowCidrs = unique;
  }
  if (value.oidc !== undefined && value.cognito !== undefined) {
    throw fail(where, 'has both oidc and cognito; choose one');
  }
  if (value.oidc !== undefined) {
    const w = `${where}.oidc`;
    const o = object(value.oidc, w, 'a map');
    onlyKeys(
      o,
      [
        'issuer',
        'authorizationEndpoint',
        'tokenEndpoint',
        'userInfoEndpoint',
        'clientId',
        'clientSecretFrom',
        'scope',
      ],
      w,
    );
    if (o.clientSecret !== undefined) throw fail(w, 'cannot hold the secret itself');
    out.oidc = {
      issuer: httpsUrl(o, 'issuer', w),
      authorizationEndpoint: httpsUrl(o, 'authorizationEndpoint', w),
      tokenEndpoint: httpsUrl(o, 'tokenEndpoint', w),
      userInfoEndpoint: httpsUrl(o, 'userInfoEndpoint', w),
      clientId: text(o, 'clientId', w),
      clientSecretFrom: text(o, 'clientSecretFrom', w),
      ...(o.scope !== undefined ? { scope: text(o, 'scope', w) } : {}),
    };
    parseSecretRef(out.oidc.clientSecretFrom, `${w}.clientSecretFrom`);
  }
  if (value.cognito !== undefined) {
    const w = `${where}.cognito`;
    const c = object(value.cognito, w, 'a map');
    onlyKeys(c, ['userPoolArn', 'userPoolClientId', 'userPoolDomain', 'scope'], w);
    const arn = text(c, 'userPoolArn', w);
    if (!/^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/[\w-]+$/.test(arn)) {
      throw fail(`${w}.userPoolArn`, `must be a Cognito user pool ARN, not ${quoteInput(arn)}`);
    }
    out.cognito = {
      userPoolArn: arn,
      userPoolClientId: text(c, 'userPoolClientId', w),
      userPoolDomain: text(c, 'userPoolDomain', w),
      ...(c.scope !== undefined ? { scope: text(c, 'scope', w) } : {}),
    };
  }
  return out;
}

/** A secret reference `name`, `name:key`, `arn:...:secret:name-AbC123` or `arn...:key`. */
export function parseSecretRef(ref: string, where: string): { secretId: string; key?: string } {
  const parts = ref.split(':');
  let secretId: string;
  let key: string | undefined;
  if (ref.startsWith('arn:')) {
    if (parts.length < 7 || parts[2] !== 'secretsmanager' || parts[5] !== 'secret') {
      throw fail(
        where,
        `must be a secret name or ARN, optionally :<json-key> (got ${quoteInput(ref)})`,
      );
    }
    secretId = parts.slice(0, 7).join(':');
    key = parts.length > 7 ? parts.slice(7).join(':') : undefined;
  } else {
    secretId = parts[0] ?? '';
    key = parts.length > 1 ? parts.slice(1).join(':') : undefined;
  }
  if (secretId === '' || key === '') {
    throw fail(
      where,
      `must be a secret name or ARN, optionally :<json-key> (got ${quoteInput(ref)})`,
    );
  }
  return key === undefined ? { secretId } : { secretId, key };
}

/** Validates `hooks`: predeploy, postcreate, predelete, each a command and a timeout. */
export function checkHooks(raw: unknown, where: string, fromCode: boolean): HooksConfig {
  const value = object(raw, where, 'a map with predeploy, postcreate or predelete');
  onlyKeys(value, HOOK_NAMES, where);
  const out: HooksConfig = {};
  for (const name of HOOK_NAMES) {
    if (value[name] === undefined) continue;
    const w = `${where}.${name}`;
    const h = object(value[name], w, 'a map with command (and timeout, container)');
    onlyKeys(h, ['command', 'timeout', 'container'], w);
    const command = h.command;
    if (
      !Array.isArray(command) ||
      command.length === 0 ||
      command.some((c) => typeof c !== 'string')
    ) {
      throw fail(`${w}.command`, 'must be a non-empty list of strings, e.g. [npm, run, migrate]');
    }
    let timeout = DEFAULT_HOOK_TIMEOUT_MS;
    if (h.timeout !== undefined) {
      if (typeof h.timeout === 'number' && fromCode) timeout = h.timeout;
      else if (typeof h.timeout === 'string') {
        try {
          timeout = parseDuration(h.timeout, `${w}.timeout`);
        } catch (error) {
          throw new PreviewEnvError('E_CONFIG', (error as Error).message);
        }
      } else throw fail(`${w}.timeout`, 'must be a duration such as 90s or 10m');
      if (!(timeout > 0)) throw fail(`${w}.timeout`, 'must be more than 0s');
    }
    if (h.container !== undefined) {
      if (typeof h.container !== 'string' || !CONTAINER.test(h.container)) {
        throw fail(`${w}.container`, 'must be a container name (letters, digits, - and _)');
      }
    }
    out[name] = {
      command: command as string[],
      timeout,
      ...(typeof h.container === 'string' ? { container: h.container } : {}),
    };
  }
  return out;
}
