import { formatDuration } from '@berth/internal';
import {
  createEnvironment,
  deleteEnvironment,
  environmentNames,
  listEnvironments,
  loadConfig,
  type PreviewEnvConfig,
  sweepEnvironments,
} from '@berth/preview-env';

/** One environment as the action shows it (job summary, sweep). */
export interface EnvironmentListing {
  name: string;
  pr?: number;
  url: string;
  image: string;
  createdAt?: Date;
  deployedAt?: Date;
  status: string;
}

/** What a create or update produced. */
export interface CreatedEnvironment {
  name: string;
  url: string;
  image: string;
  serviceArn: string;
  taskDefinitionArn: string;
  /** True for a new environment, false for an update of an existing one. */
  created: boolean;
}

/** What a TTL sweep removed, and what it failed to remove. */
export interface SweepOutcome {
  removed: Array<{ name: string; pr?: number; reason: string }>;
  failed: Array<{ name: string; message: string }>;
}

/** A line of progress. */
export type LogLine = (line: string) => void;

/** The AWS side of the action: `@berth/preview-env`, behind a seam tests can replace. */
export interface PreviewOps {
  /** The environment name an input maps to (`123` -> `pr-123`), and its URL. */
  resolve(input: string): { name: string; pr?: number; url: string };
  create(
    name: string,
    options: {
      image: string;
      env: Record<string, string>;
      secretsFrom?: string;
      wait: boolean;
      log: LogLine;
    },
  ): Promise<CreatedEnvironment>;
  delete(name: string, options: { log: LogLine }): Promise<{ existed: boolean; removed: string[] }>;
  list(): Promise<EnvironmentListing[]>;
  /** Removes environments not deployed for longer than the configured `ttl`. */
  sweep(options: { log: LogLine }): Promise<SweepOutcome>;
}

const date = (iso: string | undefined) => (iso ? new Date(iso) : undefined);

/**
 * The real {@link PreviewOps}: the configuration is loaded once (file from the `config` input
 * relative to the workspace, then `PREVIEW_ENV_*` variables), so a bad configuration fails
 * before anything is created.
 */
export function previewOps(options: {
  configFile: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): PreviewOps {
  const config: PreviewEnvConfig = loadConfig({
    cwd: options.cwd,
    env: options.env,
    ...(options.configFile ? { file: options.configFile } : {}),
  });
  const logger = (log: LogLine) => ({ info: (m: string) => log(`preview-env: ${m}`) });
  return {
    resolve(input) {
      const n = environmentNames(input, config);
      return { name: n.name, url: n.url, ...(n.pr === undefined ? {} : { pr: n.pr }) };
    },
    async create(name, o) {
      const r = await createEnvironment(name, {
        config,
        image: o.image,
        env: o.env,
        ...(o.secretsFrom ? { secretsFrom: o.secretsFrom } : {}),
        wait: o.wait,
        logger: logger(o.log),
      });
      return {
        name: r.name,
        url: r.url,
        image: r.image,
        serviceArn: r.serviceArn,
        taskDefinitionArn: r.taskDefinitionArn,
        created: r.created,
      };
    },
    async delete(name, o) {
      const r = await deleteEnvironment(name, { config, logger: logger(o.log) });
      return { existed: r.deleted, removed: r.removed };
    },
    async list() {
      const all = await listEnvironments({ config });
      return all.map((e) => ({
        name: e.name,
        ...(e.pr === undefined ? {} : { pr: e.pr }),
        url: e.url,
        image: e.image ?? '',
        ...(e.createdAt ? { createdAt: date(e.createdAt) as Date } : {}),
        ...(e.deployedAt ? { deployedAt: date(e.deployedAt) as Date } : {}),
        status: e.status,
      }));
    },
    async sweep(o) {
      const r = await sweepEnvironments({ config, logger: logger(o.log) });
      return {
        removed: r.swept.map((e) => ({
          name: e.name,
          ...(e.pr === undefined ? {} : { pr: e.pr }),
          reason: `not deployed for ${formatDuration(e.idleMs)} (ttl ${formatDuration(r.olderThanMs)})`,
        })),
        failed: r.failed.map((f) => ({ name: f.name, message: f.error.message })),
      };
    },
  };
}
