import { createHash } from 'node:crypto';
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
 * Turns user input into the environment's name: a pull request number (`123`, `#123`,
 * `pr-123`) becomes `pr-123`; anything else (a branch name) becomes a DNS label: lowercase,
 * runs of other characters turned into one hyphen, no leading or trailing hyphen, at most 63
 * characters (longer names cut and suffixed with a short stable hash). The same input always
 * gives the same name, and a name is its own name (`environmentName('pr-123').name === 'pr-123'`).
 *
 * @throws PreviewEnvError `E_NAME` when nothing usable is left.
 * @example
 * ```ts
 * environmentName('123');                 // { name: 'pr-123', pr: 123 }
 * environmentName('refs/heads/Feature/Login_Form'); // { name: 'feature-login-form' }
 * ```
 */
export function environmentName(input: string): EnvironmentName {
  const trimmed = input.trim().replace(/^refs\/heads\//, '');
  const pr = /^(?:#|pr-?|pull\/)?(\d{1,9})$/i.exec(trimmed);
  if (pr) {
    const n = Number(pr[1]);
    if (n > 0) return { name: `pr-${n}`, pr: n };
  }
  const label = trimmed
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (label === '') {
    throw new PreviewEnvError(
      'E_NAME',
      `environment name "${input}" has no letters or digits; pass a pull request number or a branch name`,
    );
  }
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
