import { randomUUID } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { EOL } from 'node:os';
import { escapeControls, quoteInput, safeLine } from './safe-text.ts';

/**
 * The GitHub Actions runner's file and workflow commands, without @actions/core: Berth's
 * actions need only these, and the bundles stay small. Everything written to the log goes
 * through `safeLine` (or the runner's own escaping inside a command Berth sends), so text
 * from inputs, events or AWS cannot start a workflow command.
 */

/** Reads input `name` as the runner passes it (`INPUT_<NAME>`), trimmed. */
export function getInput(
  name: string,
  options: { required?: boolean; env?: NodeJS.ProcessEnv } = {},
): string {
  const env = options.env ?? process.env;
  const value = (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
  if (options.required && value === '') {
    throw new Error(`input "${name}" is required`);
  }
  return value;
}

/** Reads a boolean input (`true`/`false`, as YAML 1.2 core schema spells them). */
export function getBooleanInput(
  name: string,
  fallback: boolean,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  const raw = getInput(name, { env });
  if (raw === '') return fallback;
  if (/^(true|True|TRUE)$/.test(raw)) return true;
  if (/^(false|False|FALSE)$/.test(raw)) return false;
  throw new Error(`input "${name}" must be true or false, got ${quoteInput(raw)}`);
}

/** Reads a multi-line input: one entry a line, blank lines and `#` comments dropped. */
export function getMultilineInput(name: string, env: NodeJS.ProcessEnv = process.env): string[] {
  return getInput(name, { env })
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
}

function appendKeyValue(file: string | undefined, key: string, value: string): boolean {
  if (!file) return false;
  const delimiter = `ghadelimiter_${randomUUID()}`;
  // A name with a line break would write a second, unintended entry into the file.
  if (/[\r\n]/.test(key) || key.includes(delimiter) || value.includes(delimiter)) {
    throw new Error(`cannot write ${quoteInput(key)}: the name has a line break`);
  }
  appendFileSync(file, `${key}<<${delimiter}${EOL}${value}${EOL}${delimiter}${EOL}`);
  return true;
}

/** Sets a step output (`GITHUB_OUTPUT`). */
export function setOutput(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!appendKeyValue(env.GITHUB_OUTPUT, name, value)) {
    process.stdout.write(
      `${EOL}::set-output name=${escapeProperty(name)}::${escapeData(value)}${EOL}`,
    );
  }
}

/** Saves state for the action's `post` step (`GITHUB_STATE`). */
export function saveState(name: string, value: string, env: NodeJS.ProcessEnv = process.env): void {
  if (!appendKeyValue(env.GITHUB_STATE, name, value)) {
    process.stdout.write(`::save-state name=${escapeProperty(name)}::${escapeData(value)}${EOL}`);
  }
}

/** Reads state saved by the `main` step (`STATE_<name>`). */
export function getState(name: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[`STATE_${name}`] ?? '';
}

/** Exports an environment variable to later steps (`GITHUB_ENV`). */
export function exportVariable(
  name: string,
  value: string,
  env: NodeJS.ProcessEnv = process.env,
): void {
  appendKeyValue(env.GITHUB_ENV, name, value);
  env[name] = value;
}

/**
 * Masks a value in the job log. Multi-line values are masked line by line: the runner
 * matches masks per line, so a single mask of the whole value would not hide its lines.
 */
export function addMask(
  value: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): void {
  for (const line of value.split(/\r?\n/)) {
    if (line.trim() !== '') write(`::add-mask::${escapeData(line)}${EOL}`);
  }
}

/** Appends Markdown to the job summary (`GITHUB_STEP_SUMMARY`); a no-op outside Actions. */
export function appendSummary(markdown: string, env: NodeJS.ProcessEnv = process.env): void {
  if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, `${markdown}${EOL}`);
}

/**
 * Writes one log line to stdout, made safe with `safeLine` (one line, control characters
 * escaped, no workflow command): use it for everything an action logs that is not a
 * command Berth means to send.
 */
export function info(
  message: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): void {
  write(`${safeLine(message)}${EOL}`);
}

/**
 * Emits a workflow command annotation. The message may span lines (the runner's escaping
 * keeps them inside the annotation); other control characters are escaped.
 */
export function annotate(
  kind: 'notice' | 'warning' | 'error',
  message: string,
  write: (s: string) => void = (s) => process.stdout.write(s),
): void {
  const text = message
    .split(/\r?\n/)
    .map((l) => escapeControls(l))
    .join('\n');
  write(`::${kind}::${escapeData(text)}${EOL}`);
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
