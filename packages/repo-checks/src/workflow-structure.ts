import { parse } from 'yaml';
import type { Problem } from './problems.ts';
import { expressionsIn, isUntrustedExpression, lineOf, pinProblem } from './rules.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Options of {@link checkWorkflowStructure}. */
export interface WorkflowCheckOptions {
  /** Require third-party `uses:` pinned by commit SHA (default true). */
  requirePins?: boolean;
  /** Require a top-level `permissions` key (default true). */
  requirePermissions?: boolean;
  /** Added to reported line numbers (a workflow quoted inside a README). */
  lineOffset?: number;
  /**
   * Accept `${{ }}` inside `run:` when it reads no attacker-controlled field (default false:
   * every value reaches a script through `env:`, so nothing is ever spliced into shell
   * text, whatever a step output or input turns out to contain).
   */
  allowTrustedExpressionsInRun?: boolean;
}

/**
 * Berth's own rules for a workflow, on top of actionlint: `on`, `jobs` with `runs-on` (or a
 * reusable `uses`) and steps that each `run` or `uses`; a top-level `permissions` (the
 * token gets only what is granted); third-party actions pinned by full commit SHA; and no
 * `${{ }}` inside `run:` (values reach scripts through `env:`), with attacker-controlled event
 * fields (`github.head_ref`, titles, bodies...) named as such.
 */
export function checkWorkflowStructure(
  text: string,
  file: string,
  options: WorkflowCheckOptions = {},
): Problem[] {
  const offset = options.lineOffset ?? 0;
  const problems: Problem[] = [];
  const add = (message: string, needle?: string) => {
    const line = needle === undefined ? undefined : lineOf(text, needle);
    problems.push({ file, ...(line ? { line: line + offset } : {}), message });
  };
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: true });
  } catch (error) {
    return [{ file, message: `not valid YAML: ${(error as Error).message}` }];
  }
  if (!isObj(doc)) return [{ file, message: 'a workflow must be a YAML mapping' }];
  if (doc.on === undefined) add('"on" (the triggers) is missing');
  if ((options.requirePermissions ?? true) && doc.permissions === undefined) {
    add(
      'top-level "permissions" is missing: set "permissions: {}" (or read-all) and grant per job',
    );
  }
  if (!isObj(doc.jobs) || Object.keys(doc.jobs).length === 0) {
    add('"jobs" is missing or empty');
    return problems;
  }
  for (const [jobId, job] of Object.entries(doc.jobs)) {
    if (!isObj(job)) {
      add(`job "${jobId}" must be a mapping`, `${jobId}:`);
      continue;
    }
    if (typeof job.uses === 'string') {
      if (options.requirePins ?? true) {
        const problem = pinProblem(job.uses);
        if (problem) add(`job "${jobId}": ${problem}`, job.uses);
      }
      continue;
    }
    if (job['runs-on'] === undefined) add(`job "${jobId}" has no "runs-on"`, `${jobId}:`);
    const steps = job.steps;
    if (!Array.isArray(steps) || steps.length === 0) {
      add(`job "${jobId}" has no steps`, `${jobId}:`);
      continue;
    }
    steps.forEach((step, index) => {
      const where = `job "${jobId}" step ${index + 1}${isObj(step) && typeof step.name === 'string' ? ` (${step.name})` : ''}`;
      if (!isObj(step)) {
        add(`${where} must be a mapping`);
        return;
      }
      const hasRun = typeof step.run === 'string';
      const hasUses = typeof step.uses === 'string';
      if (hasRun === hasUses) add(`${where} must have exactly one of "run" or "uses"`);
      if (hasUses && (options.requirePins ?? true)) {
        const problem = pinProblem(step.uses as string);
        if (problem) add(`${where}: ${problem}`, step.uses as string);
      }
      if (hasRun) {
        for (const expr of expressionsIn(step.run as string)) {
          if (isUntrustedExpression(expr)) {
            add(
              `${where}: \${{ ${expr} }} inside "run" is attacker-controlled (shell injection); pass it through "env:"`,
              expr,
            );
          } else if (!options.allowTrustedExpressionsInRun) {
            add(
              `${where}: \${{ ${expr} }} inside "run" is spliced into the script; pass it through "env:"`,
              expr,
            );
          }
        }
      }
    });
  }
  return problems;
}
