import type { CommandContext, OptionSpecs } from '@berth/internal';
import type { PreviewEnvConfig } from '../config.ts';

// biome-ignore lint/suspicious/noExplicitAny: every command carries its own option types
type AnyContext = CommandContext<any>;

/** What the program gives the commands defined in their own files. */
export interface CliShared {
  /** `--config` and one flag per configuration key. */
  configOptions: OptionSpecs;
  /** The configuration from `--config`, the flags and `PREVIEW_ENV_*`. */
  configFrom(ctx: AnyContext): PreviewEnvConfig;
  /** Runs a command body; with `--json`, a failure is also printed as `{ "error": ... }`. */
  guarded(ctx: AnyContext, body: () => Promise<number | undefined>): Promise<number | undefined>;
}
