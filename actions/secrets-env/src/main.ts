import { quoteInput, safeLine } from '@berth/internal';
import {
  addMask,
  annotate,
  appendSummary,
  exportVariable,
  getBooleanInput,
  getInput,
  getMultilineInput,
  setOutput,
} from '@berth/internal/github-actions';
import {
  type LoadSecretsOptions,
  loadSecrets,
  mergeEnv,
  parseSecretSpec,
  type VariableSource,
} from '@berth/secrets-env-loader';

/** Names the runner reserves or refuses in GITHUB_ENV: exporting them would fail or mislead. */
const RESERVED = /^(GITHUB_|RUNNER_|ACTIONS_)|^NODE_OPTIONS$/;

interface ActionInputs {
  options: LoadSecretsOptions;
  override: boolean;
  exportTo: 'env' | 'outputs';
}

function choice<T extends string>(name: string, env: NodeJS.ProcessEnv, allowed: readonly T[]): T {
  const value = getInput(name, { env }) || (allowed[0] as T);
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`input "${name}" must be ${allowed.join(' or ')}, got ${quoteInput(value)}`);
  }
  return value as T;
}

function readInputs(env: NodeJS.ProcessEnv, log: (m: string) => void): ActionInputs {
  const lines = getMultilineInput('secret-ids', env);
  if (lines.length === 0) {
    throw new Error(
      'input "secret-ids" is required: one secret name, ARN or prefix*, or ssm:/path/NAME or ssm:/path/, per line, optionally =ALIAS',
    );
  }
  return {
    options: {
      secrets: lines.map(parseSecretSpec),
      nameTransform: choice('name-transform', env, ['upper', 'none'] as const),
      onConflict: choice('on-conflict', env, ['error', 'last-wins'] as const),
      expandJson: getBooleanInput('expand-json', false, env),
      log,
    },
    override: getBooleanInput('override', false, env),
    exportTo: choice('export', env, ['env', 'outputs'] as const),
  };
}

/**
 * Step output names are matched case-insensitively in expressions (`steps.x.outputs.db_host`
 * is `DB_HOST`), and `variables` is the action's own output: two variables that differ only
 * in case, or one named `variables`, would silently hide each other.
 */
function checkOutputNames(names: readonly string[]): void {
  const byLower = new Map<string, string>([['variables', 'the action output "variables"']]);
  for (const name of names) {
    const other = byLower.get(name.toLowerCase());
    if (other !== undefined) {
      throw new Error(
        `cannot set step output ${name}: it is the same output as ${other} (output names ignore case); give the secret an alias (id=ALIAS)${other.startsWith('the action') ? '' : ' or use name-transform: upper'} (nothing was exported)`,
      );
    }
    byLower.set(name.toLowerCase(), name);
  }
}

function summaryTable(
  names: readonly string[],
  sources: Record<string, VariableSource>,
  kept: readonly string[],
): string {
  const rows = names.map((name) => {
    const s = sources[name];
    const key = s?.jsonPath ? `\`${s.jsonPath.join('.')}\`` : '';
    const note = kept.includes(name) ? 'kept the job value' : '';
    const from = s?.store === 'ssm' ? `ssm:${s.secretName}` : (s?.secretName ?? '');
    return `| \`${name}\` | \`${from}\` | ${key} | ${note} |`;
  });
  return ['| variable | source | key | |', '|---|---|---|---|', ...rows].join('\n');
}

/**
 * The action: loads the secrets with `@berth/secrets-env-loader` (all or nothing), masks
 * every value line by line, then exports them to the job (`export: env`, keeping variables
 * the job already has unless `override`) or sets them as step outputs. Sets `variables`
 * (the names), adds a table of names and sources to the job summary. Resolves to the exit
 * code; a failure is one `::error::` annotation and exit code 1, with nothing exported.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const write = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const inputs = readInputs(env, (m) => write(`::debug::${safeLine(m)}`));
    const { vars, sources } = await loadSecrets(inputs.options);
    const names = Object.keys(vars);
    if (inputs.exportTo === 'env') {
      const reserved = names.filter((n) => RESERVED.test(n));
      if (reserved.length > 0) {
        throw new Error(
          `cannot export ${reserved.join(', ')}: the runner reserves GITHUB_*, RUNNER_*, ACTIONS_* and NODE_OPTIONS; give the secret an alias (id=ALIAS) or use export: outputs (nothing was exported)`,
        );
      }
    } else {
      checkOutputNames(names);
    }
    // Mask first: nothing may reach the log or another step before the runner knows to hide it.
    for (const value of Object.values(vars)) addMask(value);

    let kept: string[] = [];
    if (inputs.exportTo === 'env') {
      const merged = mergeEnv(env, vars, { override: inputs.override });
      kept = merged.kept;
      for (const name of merged.applied) exportVariable(name, vars[name] as string, env);
      for (const name of kept) {
        annotate(
          'warning',
          `${name} is already set in the job: kept it, not the value from ${sources[name]?.store === 'ssm' ? 'parameter' : 'secret'} "${sources[name]?.secretName}" (set override: true to replace it)`,
        );
      }
    } else {
      for (const name of names) setOutput(name, vars[name] as string, env);
    }
    const exported = names.filter((n) => !kept.includes(n));
    setOutput('variables', JSON.stringify(exported), env);
    const secretCount = new Set(Object.values(sources).map((s) => s.secretArn)).size;
    const what = Object.values(sources).some((s) => s.store === 'ssm') ? 'source(s)' : 'secret(s)';
    write(
      `loaded ${names.length} variable(s) from ${secretCount} ${what} as ${inputs.exportTo === 'env' ? 'environment variables' : 'step outputs'}: ${exported.join(', ')}`,
    );
    appendSummary(
      `**Secrets** · ${names.length} variable(s) from ${secretCount} ${what} as ${inputs.exportTo}\n\n${summaryTable(names, sources, kept)}`,
      env,
    );
    return 0;
  } catch (error) {
    annotate('error', error instanceof Error ? error.message : String(error));
    return 1;
  }
}
