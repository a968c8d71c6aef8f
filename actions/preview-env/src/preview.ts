import { formatDuration } from '@berth/internal';
import { createPreviewEnv, loadConfig, type ProgressLogger } from '@berth/preview-env';

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

/** What a TTL sweep removed (or put to sleep), and what it failed to do. */
export interface SweepOutcome {
  removed: Array<{ name: string; pr?: number; reason: string }>;
  /** Put to sleep: not deployed or woken for longer than `sleepAfter`. */
  slept: Array<{ name: string; pr?: number; url: string; reason: string }>;
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
  /**
   * Removes environments not deployed for longer than the configured `ttl`, and puts to sleep
   * those idle for longer than `sleepAfter`.
   */
  sweep(options: { log: LogLine }): Promise<SweepOutcome>;
  /** Scales the environment to zero behind the asleep page; `changed` false when it was asleep. */
  sleep(name: string, options: { log: LogLine }): Promise<{ url: string; changed: boolean }>;
  /** Restores the environment's tasks and rule; `changed` false when it was awake. */
  wake(
    name: string,
    options: { wait: boolean; log: LogLine },
  ): Promise<{ url: string; changed: boolean; waited: boolean }>;
}

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
  const config = loadConfig({
    cwd: options.cwd,
    env: options.env,
    ...(options.configFile ? { file: options.configFile } : {}),
  });
  const previews = createPreviewEnv({ config });
  const logger = (log: LogLine): ProgressLogger => ({
    info: (m) => log(`preview-env: ${m}`),
    warn: (m) => log(`preview-env: warning: ${m}`),
  });
  return {
    resolve(input) {
      const n = previews.names(input);
      return { name: n.name, url: n.url, ...(n.pr === undefined ? {} : { pr: n.pr }) };
    },
    async create(name, o) {
      const r = await previews.create(name, {
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
        created: r.outcome === 'created',
      };
    },
    async delete(name, o) {
      const r = await previews.delete(name, { logger: logger(o.log) });
      return { existed: r.deleted, removed: r.removed };
    },
    async list() {
      const all = await previews.list();
      return all.map((e) => ({
        name: e.name,
        ...(e.pr === undefined ? {} : { pr: e.pr }),
        url: e.url,
        image: e.image ?? '',
        ...(e.createdAt ? { createdAt: e.createdAt } : {}),
        ...(e.deployedAt ? { deployedAt: e.deployedAt } : {}),
        status: e.status,
      }));
    },
    async sleep(name, o) {
      const r = await previews.sleep(name, { logger: logger(o.log) });
      return { url: r.url, changed: r.changed };
    },
    async wake(name, o) {
      const r = await previews.wake(name, { wait: o.wait, logger: logger(o.log) });
      return { url: r.url, changed: r.changed, waited: r.waited };
    },
    async sweep(o) {
      const r = await previews.sweep({ logger: logger(o.log) });
      return {
        removed: r.swept.map((e) => ({
          name: e.name,
          ...(e.pr === undefined ? {} : { pr: e.pr }),
          reason: `not deployed for ${formatDuration(e.idleMs)} (ttl ${formatDuration(r.olderThanMs)})`,
        })),
        slept: r.slept.map((e) => ({
          name: e.name,
          ...(e.pr === undefined ? {} : { pr: e.pr }),
          url: previews.names(e.name).url,
          reason: `not deployed or woken for ${formatDuration(r.sleepAfterMs ?? 0)}`,
        })),
        failed: r.failed.map((f) => ({
          name: f.name,
          message: `${f.action === 'sleep' ? 'sleep' : 'delete'}: ${f.error.message}`,
        })),
      };
    },
  };
}
