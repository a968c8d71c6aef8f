import { maskToken } from '@berth/internal';
import { HeartbeatError } from './errors.ts';

/** The hosted ping endpoint (healthchecks.io). Self-hosted: `<SITE_ROOT>/ping`. */
export const DEFAULT_PING_BASE = 'https://hc-ping.com';

/** Where pings go: give exactly one of `pingUrl`, `uuid`, or `slug` with `pingKey`. */
export interface PingTargetOptions {
  /** The check's ping URL as Healthchecks shows it (uuid or slug form), used as given. */
  pingUrl?: string | URL;
  /** The check's UUID; pings go to `<baseUrl>/<uuid>`. */
  uuid?: string;
  /** The check's slug; pings go to `<baseUrl>/<pingKey>/<slug>`. */
  slug?: string;
  /** The project's ping key (slug form). */
  pingKey?: string;
  /** Ping endpoint base (default `https://hc-ping.com`; self-hosted `<SITE_ROOT>/ping`). */
  baseUrl?: string | URL;
  /** Slug form: create the check on first ping if missing (`?create=1`). */
  create?: boolean;
}

/** A validated ping target. */
export interface ResolvedTarget {
  base: URL;
  create: boolean;
  /** Values that must never be shown whole (UUIDs, ping keys). */
  secrets: string[];
  /** The base URL with its secrets masked, for logs. */
  display: string;
}

/** A UUID in the 8-4-4-4-12 form, any version. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG_PATTERN = /^[a-z0-9-_]+$/;
const PING_KEY_PATTERN = /^[A-Za-z0-9_-]+$/;
const SUFFIX_PATTERN = /^(start|fail|log|\d+)$/;

function invalid(message: string): HeartbeatError {
  return new HeartbeatError('E_INPUT', message);
}

function parseHttpUrl(value: string | URL, what: string): URL {
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw invalid(`${what} is not a URL; give an absolute http(s) URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(`${what} must use http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  return url;
}

function joinPath(base: URL, ...segments: string[]): URL {
  const url = new URL(base);
  url.pathname = [url.pathname.replace(/\/+$/, ''), ...segments.map(encodeURIComponent)].join('/');
  return url;
}

/** Replaces every secret in `text` with its masked form (all but the last 4 characters). */
export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 8) out = out.split(secret).join(maskToken(secret));
  }
  return out;
}

/**
 * Masks the secret parts of a ping URL (its UUID, or the ping key of the slug form) for
 * display. Query strings are dropped.
 */
export function maskPingUrl(pingUrl: string | URL): string {
  try {
    const url = new URL(String(pingUrl));
    url.search = '';
    url.hash = '';
    url.username = '';
    url.password = '';
    return maskSecrets(url.toString(), pingUrlSecrets(url));
  } catch {
    return '<invalid URL>';
  }
}

function pingUrlSecrets(url: URL): string[] {
  const segments = url.pathname.split('/').filter((s) => s !== '');
  const last = segments.at(-1);
  if (last === undefined) return [];
  const secrets = segments.filter((s) => UUID_PATTERN.test(s));
  // Slug form <key>/<slug>: the segment before the slug is the project's ping key.
  if (secrets.length === 0 && segments.length >= 2) secrets.push(segments.at(-2) as string);
  return secrets;
}

/** Validates target options and resolves the check's base ping URL. */
export function resolveTarget(options: PingTargetOptions): ResolvedTarget {
  const given = [
    options.pingUrl !== undefined && 'pingUrl',
    options.uuid !== undefined && 'uuid',
    options.slug !== undefined && 'slug',
  ].filter(Boolean);
  if (given.length !== 1) {
    throw invalid(
      given.length === 0
        ? 'no check to ping: give a ping URL, a check UUID, or a slug with the project ping key'
        : `give only one of ${given.join(', ')}: they name the check in different ways`,
    );
  }
  const create = options.create ?? false;
  if (options.pingUrl !== undefined) {
    const url = parseHttpUrl(options.pingUrl, 'the ping URL');
    const segments = url.pathname.split('/').filter((s) => s !== '');
    const last = segments.at(-1);
    if (segments.length === 0) {
      throw invalid(`the ping URL ${maskPingUrl(url)} has no check in its path`);
    }
    if (last && SUFFIX_PATTERN.test(last) && UUID_PATTERN.test(segments.at(-2) ?? '')) {
      throw invalid(
        `the ping URL ends with /${last}: give the check's own ping URL, without /start, /fail, /log or an exit status`,
      );
    }
    url.hash = '';
    const secrets = pingUrlSecrets(url);
    return { base: url, create, secrets, display: maskPingUrl(url) };
  }
  const base = parseHttpUrl(options.baseUrl ?? DEFAULT_PING_BASE, 'the ping base URL');
  base.search = '';
  base.hash = '';
  if (options.uuid !== undefined) {
    if (!UUID_PATTERN.test(options.uuid)) {
      throw invalid(
        `the check UUID "${maskToken(options.uuid)}" is not a UUID (8-4-4-4-12 hex digits)`,
      );
    }
    if (create) throw invalid('create works only with a slug: a UUID names an existing check');
    const uuid = options.uuid.toLowerCase();
    return {
      base: joinPath(base, uuid),
      create: false,
      secrets: [uuid],
      display: joinPath(base, maskToken(uuid)).toString(),
    };
  }
  const slug = options.slug as string;
  if (!SLUG_PATTERN.test(slug)) {
    throw invalid(
      /[A-Z]/.test(slug)
        ? `the slug "${slug}" has uppercase letters; slugs are lowercase (${slug.toLowerCase()})`
        : `the slug "${slug}" may only hold a-z, 0-9, - and _`,
    );
  }
  if (slug.length > 100) throw invalid('the slug is longer than 100 characters');
  const pingKey = options.pingKey;
  if (pingKey === undefined || pingKey === '') {
    throw invalid('a slug needs the project ping key (HC_PING_KEY / --ping-key / pingKey)');
  }
  if (!PING_KEY_PATTERN.test(pingKey)) {
    throw invalid(`the ping key "${maskToken(pingKey)}" may only hold A-Z, a-z, 0-9, - and _`);
  }
  return {
    base: joinPath(base, pingKey, slug),
    create,
    secrets: [pingKey],
    display: joinPath(base, maskToken(pingKey), slug).toString(),
  };
}

/**
 * The values of a ping target that must never be shown whole: the check's UUID, or the
 * project's ping key. For log maskers such as GitHub Actions' `add-mask`.
 *
 * @throws HeartbeatError `E_INPUT` when the target is invalid.
 */
export function pingTargetSecrets(options: PingTargetOptions): string[] {
  return [...resolveTarget(options).secrets];
}

/** The URL of one ping: the check's URL, the kind's suffix, `rid` and `create`. */
export function pingEndpoint(target: ResolvedTarget, suffix: string, runId?: string): string {
  const url = suffix === '' ? new URL(target.base) : joinPath(target.base, suffix);
  if (runId !== undefined) url.searchParams.set('rid', runId);
  if (target.create) url.searchParams.set('create', '1');
  return url.toString();
}
