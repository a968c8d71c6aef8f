import { quoteInput } from '@berth/internal';
import { getBooleanInput, getInput, getMultilineInput } from '@berth/internal/github-actions';
import { PreviewEnvActionError } from './errors.ts';

/** What the action is asked to do; `auto` picks from the triggering event. */
export type Mode = 'auto' | 'create' | 'delete' | 'sweep' | 'ls' | 'sleep' | 'wake';

const MODES: readonly Mode[] = ['auto', 'create', 'delete', 'sweep', 'ls', 'sleep', 'wake'];

/** The action's inputs, read from `INPUT_*` and checked. */
export interface ActionInputs {
  mode: Mode;
  config: string;
  image: string;
  /** Empty when not given (the pull request number is used). */
  name: string;
  env: Record<string, string>;
  secretsFrom: string;
  wait: boolean;
  githubToken: string;
  comment: boolean;
  deployment: boolean;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses the `env` input: one `KEY=VALUE` a line (blank lines and `#` comments skipped).
 * Errors name the line and key, never the value (values may be sensitive).
 */
export function parseEnvInput(lines: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  lines.forEach((line, index) => {
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    if (eq < 0) {
      throw new PreviewEnvActionError(
        'E_INPUT',
        `input "env", entry ${index + 1}: expected KEY=VALUE, got a line without "="; write one KEY=VALUE per line`,
      );
    }
    if (!ENV_KEY.test(key)) {
      throw new PreviewEnvActionError(
        'E_INPUT',
        `input "env", entry ${index + 1}: ${quoteInput(key)} is not a valid variable name (letters, digits and _, not starting with a digit)`,
      );
    }
    if (key in env) {
      throw new PreviewEnvActionError(
        'E_INPUT',
        `input "env": ${key} is given twice; keep one line per variable`,
      );
    }
    env[key] = line.slice(eq + 1);
  });
  return env;
}

function booleanInput(name: string, fallback: boolean, env: NodeJS.ProcessEnv): boolean {
  try {
    return getBooleanInput(name, fallback, env);
  } catch (error) {
    throw new PreviewEnvActionError('E_INPUT', `${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads and validates every input from the `INPUT_*` variables action.yml sets (hyphens in
 * input names become underscores there, as a shell variable name needs); throws a
 * {@link PreviewEnvActionError} (`E_INPUT`) naming the bad one.
 */
export function readInputs(env: NodeJS.ProcessEnv = process.env): ActionInputs {
  const mode = (getInput('mode', { env }) || 'auto').toLowerCase();
  if (!MODES.includes(mode as Mode)) {
    throw new PreviewEnvActionError(
      'E_INPUT',
      `input "mode" must be one of ${MODES.join(', ')}; got ${quoteInput(mode)}`,
    );
  }
  const name = getInput('name', { env });
  if (/[\r\n]/.test(name)) {
    throw new PreviewEnvActionError('E_INPUT', 'input "name" must be a single line');
  }
  return {
    mode: mode as Mode,
    config: getInput('config', { env }),
    image: getInput('image', { env }),
    name,
    env: parseEnvInput(getMultilineInput('env', env)),
    secretsFrom: getInput('secrets_from', { env }),
    wait: booleanInput('wait', false, env),
    githubToken: getInput('github_token', { env }),
    comment: booleanInput('comment', true, env),
    deployment: booleanInput('deployment', true, env),
  };
}
