/** Options of {@link mergeEnv}. */
export interface MergeEnvOptions {
  /** Replace variables that already exist in the base environment (default: keep them). */
  override?: boolean;
  /** Start from an empty environment: only the loaded variables. */
  pristine?: boolean;
}

/** What {@link mergeEnv} returns. */
export interface MergedEnv {
  /** The environment to use. */
  env: Record<string, string>;
  /** Loaded variables that were set. */
  applied: string[];
  /** Loaded variables not set because the base already had them (without `override`). */
  kept: string[];
}

/**
 * Merges loaded variables into an environment. Existing variables are kept unless
 * `override` (a secret should not silently replace what the caller set on purpose); with
 * `pristine` the result holds only the loaded variables.
 *
 * @example
 * ```ts
 * const { vars } = await loadSecrets({ secrets: ['app/dev'] });
 * const { env, kept } = mergeEnv(process.env, vars);
 * ```
 */
export function mergeEnv(
  base: NodeJS.ProcessEnv,
  vars: Readonly<Record<string, string>>,
  options: MergeEnvOptions = {},
): MergedEnv {
  const env: Record<string, string> = {};
  if (!options.pristine) {
    for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  }
  const applied: string[] = [];
  const kept: string[] = [];
  for (const [name, value] of Object.entries(vars)) {
    if (!options.pristine && !options.override && Object.hasOwn(env, name)) {
      kept.push(name);
      continue;
    }
    Object.defineProperty(env, name, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
    applied.push(name);
  }
  return { env, applied, kept };
}
