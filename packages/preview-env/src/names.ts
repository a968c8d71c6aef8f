import { createHash } from 'node:crypto';
import { quoteInput } from '@berth/internal';
import type { PreviewEnvConfig } from './config.ts';
import { PreviewEnvError } from './errors.ts';

/** An environment name as every command uses it, with the PR number when it came from one. */
export interface EnvironmentName {
  /** The DNS label identifying the environment, e.g. `pr-123` or `feature-login-form`. */
  name: string;
  /** The pull request number, when the input was one (`123`, `#123`, `pr-123`). */
  pr?: number;
}

/** The resource names derived from an environment name and the configuration. */
export interface EnvironmentNames extends EnvironmentName {
  /** Host name the listener rule matches and the DNS record points at the load balancer. */
  host: string;
  /** `https://<host>` (or `http://` with `scheme: http`). */
  url: string;
  /** ECS service name (up to 255 characters). */
  serviceName: string;
  /** Task definition family (up to 255 characters). */
  family: string;
  /** Target group name (up to 32 characters). */
  targetGroupName: string;
}

const DNS_LABEL_MAX = 63;
const HOST_HEADER_MAX = 128;
const TARGET_GROUP_MAX = 32;
const ECS_NAME_MAX = 255;
const HASH_LENGTH = 6;

/** First characters of the SHA-256 of `text`: stable across runs, machines and versions. */
export function shortHash(text: string, length = HASH_LENGTH): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * Fits `text` into `max` characters: unchanged when it fits, otherwise cut and suffixed with
 * `-<hash of the whole text>`, so two long names sharing a prefix never collide and the same
 * name always gives the same result.
 */
export function fitName(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, max - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${shortHash(text)}`;
}

/**
 * Turns user input into the environment's name, by one rule that create, delete, ls, sleep,
 * wake and sweep share:
 *
 * - a pull request number (`123`, `#123`, `pr-123`, `pull/123`; 1 to 999999999) becomes `pr-123`;
 * - anything else (a branch name, `refs/heads/` dropped) becomes a DNS label: accents removed
 *   (`café` -> `cafe`), lowercase, runs of other characters turned into one hyphen, no leading
 *   or trailing hyphen;
 * - when letters or digits of other scripts were dropped (`機能/ログイン`, `feature/機能`), a
 *   short stable hash of the input is added (`x-3f2a1c`, `feature-9b0e44`), so such names
 *   neither fail nor collide;
 * - a label made only of digits (`1-`, `#-1`, `0`) becomes `n-<digits>`, so it can never be
 *   taken for pull request `pr-<n>`;
 * - at most 63 characters (longer names cut and suffixed with a short stable hash).
 *
 * A name is its own name (`environmentName(name).name === name` for every name it returns),
 * so what `ls` prints is accepted by every command and means the same environment.
 *
 * @throws PreviewEnvError `E_NAME` when the input has no letters or digits at all.
 * @example
 * ```ts
 * environmentName('123');                 // { name: 'pr-123', pr: 123 }
 * environmentName('refs/heads/Feature/Login_Form'); // { name: 'feature-login-form' }
 * environmentName('1-');                  // { name: 'n-1' }
 * ```
 */
export function environmentName(input: string): EnvironmentName {
  const trimmed = input.trim().replace(/^refs\/heads\//, '');
  const pr = /^(?:#|pr-?|pull\/)?(\d{1,9})$/i.exec(trimmed);
  if (pr) {
    const n = Number(pr[1]);
    if (n > 0) return { name: `pr-${n}`, pr: n };
  }
  const folded = trimmed
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase();
  let label = folded.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  // Letters or digits of other scripts that the label cannot carry.
  const lost = /[\p{L}\p{N}]/u.test(folded.replace(/[a-z0-9]/g, ''));
  if (label === '' && !lost) {
    throw new PreviewEnvError(
      'E_NAME',
      `environment name ${quoteInput(input)} has no letters or digits; pass a pull request number or a branch name`,
    );
  }
  if (lost) label = `${label || 'x'}-${shortHash(trimmed.normalize('NFC'))}`;
  if (/^\d+$/.test(label)) label = `n-${label}`;
  return { name: fitName(label, DNS_LABEL_MAX) };
}

/**
 * Every resource name of environment `input` under `config`: host and URL, service, task
 * definition family and target group, each within its AWS limit (target group 32, DNS label
 * 63, host header 128, ECS names 255).
 *
 * @example
 * ```ts
 * environmentNames('123', config).targetGroupName; // 'app-pr-123'
 * ```
 */
export function environmentNames(
  input: string,
  config: Pick<PreviewEnvConfig, 'namePrefix' | 'domain' | 'scheme'>,
): EnvironmentNames {
  const env = environmentName(input);
  const hostBudget = Math.min(DNS_LABEL_MAX, HOST_HEADER_MAX - config.domain.length - 1);
  const host = `${fitName(env.name, hostBudget)}.${config.domain}`;
  const base = `${config.namePrefix}-${env.name}`;
  return {
    ...env,
    host,
    url: `${config.scheme}://${host}`,
    serviceName: fitName(base, ECS_NAME_MAX),
    family: fitName(base, ECS_NAME_MAX),
    targetGroupName: fitName(base, TARGET_GROUP_MAX),
  };
}
