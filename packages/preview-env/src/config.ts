import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseDuration, quoteInput } from '@berth/internal';
import { parse as parseYaml } from 'yaml';
import { CONFIG_KEYS, type ConfigKeySpec } from './config-keys.ts';
import {
  type AccessConfig,
  checkAccess,
  checkHooks,
  type HooksConfig,
  type HooksConfigInput,
} from './config-objects.ts';
import { PreviewEnvError } from './errors.ts';

/** The resolved configuration every function of the package works from. Durations in ms. */
export interface PreviewEnvConfig {
  /** ECS cluster (name or ARN). */
  cluster: string;
  /** The running service every environment copies. */
  referenceService: string;
  /** The shared ALB listener (with a pool: the first of `listenerArns`). */
  listenerArn: string;
  /**
   * Every listener environments may live on: `listenerArns` (a pool, usually on several
   * ALBs), or just `listenerArn`.
   */
  listenerArns: string[];
  /** Environment `<name>` is served at `<name>.<domain>`. */
  domain: string;
  /** Route 53 hosted zone for per-environment records; unset with a wildcard record. */
  hostedZoneId?: string;
  /** Prefix of every resource name. */
  namePrefix: string;
  /** Container whose image is replaced; unset: the reference service's load-balanced one. */
  container?: string;
  /** `sweep` puts environments not deployed or woken for longer to sleep (ms); unset: never. */
  sleepAfter?: number;
  /** Environments not deployed for longer are swept (ms). */
  ttl: number;
  /** Variables added to the container in every environment. */
  env: Record<string, string>;
  /** Secret whose JSON keys become container secrets in every environment. */
  secretsFrom?: string;
  /** Tasks per new environment. */
  desiredCount: number;
  /** Lowest listener rule priority used. */
  priorityMin: number;
  /** Highest listener rule priority used. */
  priorityMax: number;
  /** Rules quota of the load balancer (default rules not counted). */
  maxRules: number;
  /** Target groups quota of the load balancer. */
  maxTargetGroups: number;
  /** Deregistration delay of environment target groups (ms, whole seconds). */
  deregistrationDelay: number;
  /** How long `wait` waits (ms). */
  waitTimeout: number;
  /** How long create waits for a DRAINING service of the same name (ms). */
  drainTimeout: number;
  /** Scheme of environment URLs. */
  scheme: 'https' | 'http';
  /** AWS region (default: the listener ARN's). */
  region: string;
  /** Who may reach a preview: source CIDRs, sign-in with OIDC or Cognito. */
  access?: AccessConfig;
  /** One-off tasks run from the environment's own revision. */
  hooks?: HooksConfig;
  /** Where the configuration came from (file path, or `flags and environment`). */
  source: string;
}

/**
 * Configuration as written: every key optional, durations as `3d`/`10s` strings (or ms
 * numbers from code), `env` as a map. What `loadConfig` reads and `overrides` accept.
 */
export type PreviewEnvConfigInput = {
  [K in keyof Omit<PreviewEnvConfig, 'source' | 'hooks'>]?: PreviewEnvConfig[K] extends number
    ? number | string
    : PreviewEnvConfig[K];
} & { hooks?: HooksConfigInput };

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Config file; default `PREVIEW_ENV_CONFIG`, then `preview-env.yml|yaml|json` in `cwd` if present. */
  file?: string;
  /** Directory the default file is looked up in (default `process.cwd()`). */
  cwd?: string;
  /** Environment read for `PREVIEW_ENV_*` variables (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Values that win over the file and the environment (the CLI's flags). */
  overrides?: PreviewEnvConfigInput;
  /** How overrides are named in errors: `flag` (`--listener-arn`) or `option` (`listenerArn`). */
  overridesAre?: 'flag' | 'option';
}

const DEFAULT_FILES = ['preview-env.yml', 'preview-env.yaml', 'preview-env.json'];
const DEFAULTS = {
  namePrefix: 'preview',
  ttl: '3d',
  desiredCount: 1,
  priorityMin: 1000,
  priorityMax: 50000,
  maxRules: 100,
  maxTargetGroups: 100,
  deregistrationDelay: '10s',
  waitTimeout: '15m',
  drainTimeout: '5m',
  scheme: 'https',
} as const;

const LISTENER_ARN =
  /^arn:(aws[a-z-]*):elasticloadbalancing:([a-z0-9-]+):(\d{12}):listener\/app\/([A-Za-z0-9-]+)\/([0-9a-f]+)\/([0-9a-f]+)$/;
const ECS_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const ECS_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:(cluster|service)\/[A-Za-z0-9_/-]+$/;
const DNS_NAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const PREFIX = /^[a-z0-9]([a-z0-9-]{0,14}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Upper bounds of whole-number keys (others: 1,000,000): ECS runs at most 5,000 tasks a service. */
const INT_MAX: Record<string, number> = { desiredCount: 5000 };

/** Where one value came from, for error messages that name the key as the user wrote it. */
type Origin =
  | { kind: 'file'; file: string }
  | { kind: 'env' }
  | { kind: 'flag' }
  | { kind: 'option' };

function label(spec: ConfigKeySpec, origin: Origin): string {
  switch (origin.kind) {
    case 'file':
      return `${origin.file}: key "${spec.key}"`;
    case 'env':
      return spec.env;
    case 'flag':
      return `--${spec.flag}`;
    default:
      return `option "${spec.key}"`;
  }
}

function configError(where: string, problem: string): PreviewEnvError {
  return new PreviewEnvError('E_CONFIG', `${where} ${problem}`);
}

/** Reads `K=V` lines or a JSON object (the form of `PREVIEW_ENV_ENV`). */
function parseEnvText(text: string, where: string): Record<string, unknown> {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const value = JSON.parse(trimmed) as unknown;
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        return value as Record<string, unknown>;
      }
    } catch {
      // reported below
    }
    throw configError(where, 'is not a JSON object; write {"KEY":"value"} or KEY=value lines');
  }
  const out: Record<string, unknown> = {};
  // One variable per line: a comma is part of a value (LIST=a,b), never a separator.
  const lines = trimmed.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    // The line is not echoed: a value pasted on a line of its own may be a secret.
    if (eq <= 0) {
      throw configError(where, `line ${index + 1} is not KEY=value (no "=" before its value)`);
    }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

function checkValue(spec: ConfigKeySpec, raw: unknown, origin: Origin): unknown {
  const where = label(spec, origin);
  const fromCode = origin.kind === 'option';
  switch (spec.kind) {
    case 'string':
    case 'enum': {
      if (typeof raw !== 'string' || raw.trim() === '')
        throw configError(where, 'must be a non-empty string');
      const value = raw.trim();
      if (spec.kind === 'enum' && !spec.values?.includes(value)) {
        throw configError(
          where,
          `must be one of ${spec.values?.join(', ')}, not ${quoteInput(value)}`,
        );
      }
      return value;
    }
    case 'int': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)
            ? Number(raw)
            : Number.NaN;
      if (!Number.isInteger(n) || n < 0)
        throw configError(where, `must be a whole number, not ${quoteInput(String(raw))}`);
      const max = INT_MAX[spec.key] ?? 1_000_000;
      if (n > max) {
        throw configError(where, `is ${quoteInput(String(raw))}, out of range: at most ${max}`);
      }
      return n;
    }
    case 'duration': {
      if (typeof raw === 'number' && fromCode && raw >= 0) return raw;
      if (typeof raw !== 'string') {
        throw configError(
          where,
          `must be a duration such as 90s, 15m, 3d (got ${JSON.stringify(raw)})`,
        );
      }
      try {
        return parseDuration(raw, where);
      } catch (error) {
        throw new PreviewEnvError('E_CONFIG', (error as Error).message);
      }
    }
    case 'list': {
      const items = typeof raw === 'string' ? raw.split(/[\s,]+/).filter((x) => x !== '') : raw;
      if (
        !Array.isArray(items) ||
        items.length === 0 ||
        !items.every((x) => typeof x === 'string' && x.trim() !== '')
      ) {
        throw configError(
          where,
          'must be a list of strings (a YAML list in the file, comma-separated by flag or variable)',
        );
      }
      return items.map((x: string) => x.trim());
    }
    case 'object':
      return spec.key === 'access' ? checkAccess(raw, where) : checkHooks(raw, where, fromCode);
    case 'map': {
      const map = typeof raw === 'string' ? parseEnvText(raw, where) : raw;
      if (!map || typeof map !== 'object' || Array.isArray(map)) {
        throw configError(where, 'must be a map of variable names to values');
      }
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(map)) {
        if (!ENV_NAME.test(k))
          throw configError(where, `has ${quoteInput(k)}, which is not a valid variable name`);
        if (typeof v === 'string') out[k] = v;
        else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
        else
          throw configError(
            where,
            `has a value for "${k}" that is not a string, number or boolean`,
          );
      }
      return out;
    }
  }
}

function suggest(key: string): string {
  const lower = key.toLowerCase().replace(/[-_]/g, '');
  const hit = CONFIG_KEYS.find((s) => s.key.toLowerCase() === lower);
  return hit ? ` (did you mean "${hit.key}"?)` : '';
}

function readFileLayer(file: string, shown: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PreviewEnvError(
      'E_CONFIG',
      `cannot read config file ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; pass --config with an existing file`,
      { cause: error },
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    const first = ((error as Error).message ?? '').split('\n')[0];
    throw new PreviewEnvError('E_CONFIG', `${shown} is not valid YAML or JSON: ${first}`, {
      cause: error,
    });
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new PreviewEnvError(
      'E_CONFIG',
      `${shown} must hold a map of keys (cluster, referenceService, ...)`,
    );
  }
  for (const key of Object.keys(doc)) {
    if (!CONFIG_KEYS.some((s) => s.key === key)) {
      throw new PreviewEnvError(
        'E_CONFIG',
        `${shown}: unknown key "${key}"${suggest(key)}; known keys: ${CONFIG_KEYS.map((s) => s.key).join(', ')}`,
      );
    }
  }
  return doc as Record<string, unknown>;
}

interface Layer {
  values: Record<string, unknown>;
  origin: Origin;
}

/** Merges layers (later wins; `env` maps merge key by key) and validates the result. */
function resolveLayers(layers: Layer[], source: string): PreviewEnvConfig {
  const out: Record<string, unknown> = {};
  const originOf: Record<string, Origin> = {};
  for (const { values, origin } of layers) {
    for (const spec of CONFIG_KEYS) {
      const raw = values[spec.key];
      if (raw === undefined || raw === null || raw === '') continue;
      const value = checkValue(spec, raw, origin);
      out[spec.key] =
        spec.kind === 'map'
          ? { ...(out[spec.key] as Record<string, string> | undefined), ...(value as object) }
          : value;
      originOf[spec.key] = origin;
    }
  }
  const defaults: Layer = { values: DEFAULTS, origin: { kind: 'option' } };
  for (const spec of CONFIG_KEYS) {
    if (out[spec.key] === undefined && defaults.values[spec.key] !== undefined) {
      out[spec.key] = checkValue(spec, defaults.values[spec.key], { kind: 'flag' });
    }
  }
  // A pool (listenerArns) stands in for listenerArn; its first listener is listenerArn.
  const pool = out.listenerArns as string[] | undefined;
  if (pool && out.listenerArn === undefined) {
    out.listenerArn = pool[0];
    originOf.listenerArn = originOf.listenerArns ?? { kind: 'option' };
  }
  const missing = CONFIG_KEYS.filter((s) => s.required && out[s.key] === undefined);
  if (missing.length) {
    const list = missing.map((s) => `${s.key} (--${s.flag} or ${s.env})`).join(', ');
    throw new PreviewEnvError(
      'E_CONFIG',
      `missing configuration: ${list}; set them in ${source === 'flags and environment' ? 'preview-env.yml' : source}, by flag or by environment variable`,
    );
  }
  const where = (key: string) => {
    const spec = CONFIG_KEYS.find((s) => s.key === key) as ConfigKeySpec;
    return label(spec, originOf[key] ?? { kind: 'option' });
  };
  const listener = LISTENER_ARN.exec(out.listenerArn as string);
  if (!listener) {
    throw configError(
      where('listenerArn'),
      'must be an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>)',
    );
  }
  out.listenerArns = checkPool(
    pool,
    out.listenerArn as string,
    listener,
    out.hostedZoneId !== undefined,
    where('listenerArns'),
  );
  for (const key of ['cluster', 'referenceService'] as const) {
    const v = out[key] as string;
    if (!ECS_NAME.test(v) && !ECS_ARN.test(v)) {
      throw configError(
        where(key),
        `must be an ECS ${key === 'cluster' ? 'cluster' : 'service'} name (letters, digits, - and _) or ARN, not "${v}"`,
      );
    }
  }
  const domain = (out.domain as string).toLowerCase().replace(/\.$/, '');
  if (!DNS_NAME.test(domain))
    throw configError(
      where('domain'),
      `must be a DNS name such as preview.example.com, not "${out.domain}"`,
    );
  if (domain.length > 128 - 1 - 12) {
    throw configError(
      where('domain'),
      'is too long: <name>.<domain> must fit the 128-character host header limit with room for a name',
    );
  }
  out.domain = domain;
  if (out.hostedZoneId !== undefined) {
    const id = (out.hostedZoneId as string).replace(/^\/?hostedzone\//, '');
    if (!/^[A-Z0-9]{1,32}$/.test(id))
      throw configError(
        where('hostedZoneId'),
        `must be a Route 53 hosted zone id such as Z0123456789ABC, not "${out.hostedZoneId}"`,
      );
    out.hostedZoneId = id;
  }
  if (!PREFIX.test(out.namePrefix as string)) {
    throw configError(
      where('namePrefix'),
      'must be 1 to 16 lowercase letters, digits and hyphens, not starting or ending with a hyphen',
    );
  }
  if (/^internal(-|$)/.test(out.namePrefix as string)) {
    throw configError(
      where('namePrefix'),
      `cannot be "${out.namePrefix}": AWS refuses target group names starting with internal-; choose another prefix`,
    );
  }
  if (out.container !== undefined && !ECS_NAME.test(out.container as string)) {
    throw configError(where('container'), 'must be a container name (letters, digits, - and _)');
  }
  for (const key of ['priorityMin', 'priorityMax'] as const) {
    const n = out[key] as number;
    if (n < 1 || n > 50000)
      throw configError(
        where(key),
        `must be between 1 and 50000 (listener rule priorities), not ${n}`,
      );
  }
  if ((out.priorityMax as number) - (out.priorityMin as number) < 10) {
    throw configError(
      where('priorityMax'),
      `must be at least 10 above priorityMin (${out.priorityMin})`,
    );
  }
  const delay = out.deregistrationDelay as number;
  if (delay > 3_600_000 || delay % 1000 !== 0) {
    throw configError(where('deregistrationDelay'), 'must be whole seconds between 0s and 3600s');
  }
  if ((out.maxRules as number) < 1 || (out.maxTargetGroups as number) < 1) {
    throw configError(
      where((out.maxRules as number) < 1 ? 'maxRules' : 'maxTargetGroups'),
      'must be at least 1',
    );
  }
  out.region = (out.region as string | undefined) ?? listener[2];
  if (!REGION.test(out.region as string))
    throw configError(
      where('region'),
      `must be an AWS region such as eu-west-1, not "${out.region}"`,
    );
  out.env = out.env ?? {};
  out.source = source;
  return out as unknown as PreviewEnvConfig;
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const values: Record<string, unknown> = {};
  for (const spec of CONFIG_KEYS) {
    const v = env[spec.env];
    if (v !== undefined && v !== '') values[spec.key] = v;
  }
  return { values, origin: { kind: 'env' } };
}

function checkOverrideKeys(overrides: object, as: 'flag' | 'option'): void {
  for (const key of Object.keys(overrides)) {
    if (!CONFIG_KEYS.some((s) => s.key === key)) {
      throw new PreviewEnvError(
        'E_CONFIG',
        `unknown configuration ${as === 'flag' ? 'flag' : 'option'} "${key}"${suggest(key)}`,
      );
    }
  }
}

/**
 * Reads the configuration: defaults, then the file (YAML or JSON), then `PREVIEW_ENV_*`
 * environment variables, then `overrides` (the CLI's flags). Validates every key and throws a
 * `PreviewEnvError` with code `E_CONFIG` naming the key (and file, flag or variable) when
 * something is wrong.
 *
 * @example
 * ```ts
 * const config = loadConfig({ file: 'preview-env.yml', overrides: { namePrefix: 'shop' } });
 * ```
 */
export function loadConfig(options: LoadConfigOptions = {}): PreviewEnvConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.file ?? env.PREVIEW_ENV_CONFIG;
  let file: string | undefined;
  if (explicit) {
    file = isAbsolute(explicit) ? explicit : join(cwd, explicit);
  } else {
    file = DEFAULT_FILES.map((f) => join(cwd, f)).find((f) => existsSync(f));
  }
  const layers: Layer[] = [];
  const shown = file ? (explicit ?? file.slice(cwd.length + 1)) : undefined;
  if (file && shown)
    layers.push({ values: readFileLayer(file, shown), origin: { kind: 'file', file: shown } });
  layers.push(envLayer(env));
  if (options.overrides) {
    const as = options.overridesAre ?? 'option';
    checkOverrideKeys(options.overrides, as);
    layers.push({ values: options.overrides as Record<string, unknown>, origin: { kind: as } });
  }
  return resolveLayers(layers, shown ?? 'flags and environment');
}

/**
 * Validates a configuration given in code (no file, no environment), optionally with
 * overrides on top. Accepts the output of {@link loadConfig} too.
 *
 * @example
 * ```ts
 * const config = resolveConfig({
 *   cluster: 'dev', referenceService: 'app-dev00', domain: 'preview.example.com',
 *   listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2',
 * });
 * ```
 */
export function resolveConfig(
  config: PreviewEnvConfigInput | PreviewEnvConfig,
  overrides?: PreviewEnvConfigInput,
): PreviewEnvConfig {
  const { source, ...values } = config as PreviewEnvConfig;
  checkOverrideKeys(values, 'option');
  const layers: Layer[] = [{ values, origin: { kind: 'option' } }];
  if (overrides) {
    checkOverrideKeys(overrides, 'option');
    layers.push({ values: overrides as Record<string, unknown>, origin: { kind: 'option' } });
  }
  return resolveLayers(layers, source ?? 'options');
}

/**
 * Checks a pool of listeners: ALB listener ARNs, no repeats, one account and region (the
 * first one's), `listenerArn` among them when both are set, and `hostedZoneId` for more than
 * one (each environment's record aliases its own load balancer; one wildcard record cannot).
 */
function checkPool(
  pool: string[] | undefined,
  listenerArn: string,
  first: RegExpExecArray,
  hasZone: boolean,
  where: string,
): string[] {
  if (!pool) return [listenerArn];
  const seen = new Set<string>();
  for (const arn of pool) {
    const m = LISTENER_ARN.exec(arn);
    if (!m) {
      throw configError(
        where,
        `has "${arn.slice(0, 200)}", which is not an Application Load Balancer listener ARN (arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<id>/<id>)`,
      );
    }
    if (m[2] !== first[2] || m[3] !== first[3]) {
      throw configError(
        where,
        `must name listeners of one account and region (${first[3]}, ${first[2]}); ${arn} is in ${m[3]}, ${m[2]}`,
      );
    }
    if (seen.has(arn)) throw configError(where, `names ${arn} twice`);
    seen.add(arn);
  }
  if (!seen.has(listenerArn)) {
    throw configError(
      where,
      `does not include listenerArn (${listenerArn}); set one of the two, or list it in listenerArns`,
    );
  }
  if (pool.length > 1 && !hasZone) {
    throw configError(
      where,
      'needs hostedZoneId: with more than one load balancer each environment gets a DNS record aliasing its own (a wildcard record can point at only one)',
    );
  }
  return pool;
}

/** The load balancer ARN of a listener ARN. */
export function loadBalancerArnOf(listenerArn: string): string {
  return listenerArn.replace(':listener/', ':loadbalancer/').replace(/\/[0-9a-f]+$/, '');
}
