import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Problem } from './problems.ts';
import { actionFile, repoPath } from './repo.ts';
import { expressionsIn, lineOf, pinProblem } from './rules.ts';

const TOP_LEVEL = new Set([
  'name',
  'author',
  'description',
  'inputs',
  'outputs',
  'runs',
  'branding',
]);
const INPUT_KEYS = new Set(['description', 'required', 'default', 'deprecationMessage']);
const COLORS = new Set([
  'white',
  'black',
  'yellow',
  'blue',
  'green',
  'orange',
  'red',
  'purple',
  'gray-dark',
]);
const NODE_RUNTIME = 'node24';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';

/** The bundle files an action runs: `main`/`pre`/`post` of a node action, or the `dist/` files its composite steps start. */
export function actionBundles(dir: string): string[] {
  const meta = parse(readFileSync(actionFile(dir), 'utf8')) as Obj;
  const runs = isObj(meta.runs) ? meta.runs : {};
  if (runs.using !== 'composite') {
    return ['pre', 'main', 'post']
      .map((k) => runs[k])
      .filter(nonEmpty)
      .map((f) => join(dir, f));
  }
  const files = new Set<string>();
  for (const step of Array.isArray(runs.steps) ? runs.steps : []) {
    if (!isObj(step) || typeof step.run !== 'string') continue;
    for (const m of step.run.matchAll(/\$\{?GITHUB_ACTION_PATH\}?\/([^"'\s]+\.m?js)/g))
      files.add(join(dir, m[1] as string));
  }
  return [...files].sort();
}

/**
 * Checks an action's metadata: name, description, every input and output
 * described, branding with a valid colour, a supported runtime (`composite` or `node24` with
 * entry files that exist, so run it after the build), composite steps with `shell`, no `${{ }}`
 * inside `run:` (inputs reach scripts through `env:`), third-party `uses:` pinned by SHA, and
 * `inputs.*` / `steps.*` references that match what is declared.
 */
export function checkActionMetadata(dir: string): Problem[] {
  const path = actionFile(dir);
  const file = repoPath(path);
  const text = readFileSync(path, 'utf8');
  const problems: Problem[] = [];
  const add = (message: string, needle?: string) => {
    const line = needle === undefined ? undefined : lineOf(text, needle);
    problems.push({ file, ...(line ? { line } : {}), message });
  };
  let meta: unknown;
  try {
    meta = parse(text, { uniqueKeys: true });
  } catch (error) {
    return [{ file, message: `not valid YAML: ${(error as Error).message}` }];
  }
  if (!isObj(meta)) return [{ file, message: 'must be a YAML mapping' }];

  for (const key of Object.keys(meta))
    if (!TOP_LEVEL.has(key)) add(`unknown top-level key "${key}"`, `${key}:`);
  if (!nonEmpty(meta.name)) add('"name" is missing or empty');
  if (!nonEmpty(meta.description)) add('"description" is missing or empty');

  const inputs = meta.inputs === undefined ? {} : meta.inputs;
  if (!isObj(inputs)) add('"inputs" must be a mapping', 'inputs:');
  else {
    for (const [name, spec] of Object.entries(inputs)) {
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) add(`input "${name}": invalid name`, `${name}:`);
      if (!isObj(spec)) {
        add(`input "${name}" must be a mapping with a description`, `${name}:`);
        continue;
      }
      if (!nonEmpty(spec.description)) add(`input "${name}" has no description`, `${name}:`);
      for (const k of Object.keys(spec))
        if (!INPUT_KEYS.has(k)) add(`input "${name}": unknown key "${k}"`, `${k}:`);
      if (spec.required !== undefined && typeof spec.required !== 'boolean') {
        add(`input "${name}": "required" must be true or false`, `${name}:`);
      }
      if (spec.default !== undefined && isObj(spec.default))
        add(`input "${name}": "default" must be a scalar`, `${name}:`);
    }
  }

  const branding = meta.branding;
  if (!isObj(branding)) add('"branding" (icon and color) is missing');
  else {
    if (!nonEmpty(branding.icon) || !/^[a-z0-9-]+$/.test(branding.icon))
      add('"branding.icon" must be a Feather icon name', 'icon:');
    if (!nonEmpty(branding.color) || !COLORS.has(branding.color)) {
      add(`"branding.color" must be one of ${[...COLORS].join(', ')}`, 'color:');
    }
  }

  const runs = meta.runs;
  if (!isObj(runs)) {
    add('"runs" is missing');
    return problems;
  }
  const composite = runs.using === 'composite';
  const outputs = meta.outputs === undefined ? {} : meta.outputs;
  if (!isObj(outputs)) add('"outputs" must be a mapping', 'outputs:');
  else {
    for (const [name, spec] of Object.entries(outputs)) {
      if (!isObj(spec) || !nonEmpty(spec.description))
        add(`output "${name}" has no description`, `${name}:`);
      if (composite && (!isObj(spec) || !nonEmpty(spec.value)))
        add(`output "${name}" of a composite action needs a "value"`, `${name}:`);
    }
  }

  if (composite) {
    const steps = Array.isArray(runs.steps) ? runs.steps : [];
    if (steps.length === 0) add('composite "runs.steps" is empty', 'steps:');
    const ids = new Set<string>();
    steps.forEach((step, index) => {
      const where = `step ${index + 1}${isObj(step) && nonEmpty(step.name) ? ` (${step.name})` : ''}`;
      if (!isObj(step)) {
        add(`${where} must be a mapping`);
        return;
      }
      if (nonEmpty(step.id)) {
        if (ids.has(step.id)) add(`${where}: duplicate id "${step.id}"`, `id: ${step.id}`);
        ids.add(step.id);
      }
      const hasRun = typeof step.run === 'string';
      const hasUses = typeof step.uses === 'string';
      if (hasRun === hasUses) add(`${where} must have exactly one of "run" or "uses"`);
      if (hasRun) {
        if (!nonEmpty(step.shell)) add(`${where}: composite run steps need "shell"`);
        if (expressionsIn(step.run as string).length > 0) {
          add(
            `${where}: \${{ }} inside "run" is evaluated into the script (shell injection); pass values through "env:"`,
            (step.run as string).split('\n').find((l) => l.includes('${{')),
          );
        }
      }
      if (hasUses) {
        const problem = pinProblem(step.uses as string);
        if (problem) add(`${where}: ${problem}`, step.uses as string);
      }
    });
    // Every inputs.X and steps.X reference points at something declared.
    const declared = new Set(Object.keys(isObj(inputs) ? inputs : {}));
    const used = new Set<string>();
    for (const expr of expressionsIn(text)) {
      for (const m of expr.matchAll(/\binputs\.([A-Za-z0-9_-]+)/g)) {
        used.add(m[1] as string);
        if (!declared.has(m[1] as string))
          add(`\${{ ${expr} }} reads undeclared input "${m[1]}"`, `inputs.${m[1]}`);
      }
      for (const m of expr.matchAll(/\bsteps\.([A-Za-z0-9_-]+)\./g)) {
        if (!ids.has(m[1] as string))
          add(`\${{ ${expr} }} reads step "${m[1]}", which no step has as id`, `steps.${m[1]}`);
      }
    }
    for (const name of declared)
      if (!used.has(name))
        add(`input "${name}" is declared but never passed to a step`, `${name}:`);
  } else if (typeof runs.using === 'string' && /^node\d+$/.test(runs.using)) {
    if (runs.using !== NODE_RUNTIME)
      add(`runs.using is ${runs.using}; JavaScript actions must use ${NODE_RUNTIME}`, 'using:');
    if (!nonEmpty(runs.main)) add('"runs.main" is missing');
    for (const key of ['pre', 'main', 'post'] as const) {
      const entry = runs[key];
      if (!nonEmpty(entry)) continue;
      if (!existsSync(join(dir, entry)))
        add(`runs.${key} "${entry}" does not exist (build the action first)`, `${key}:`);
    }
  } else {
    add(
      `runs.using must be "composite" or "${NODE_RUNTIME}", got "${String(runs.using)}"`,
      'using:',
    );
  }
  return problems;
}
