import { checkWorkflowStructure, expressionsIn, pinProblem } from '@berth/repo-checks';
import { evaluateExpression } from '@berth/testkit';
import { parseDocument } from 'yaml';

/** The parts of an action's `action.yml` a workflow step is checked against. */
export interface ActionSpec {
  inputs: Record<string, { required?: boolean; default?: unknown }>;
  outputs: string[];
}

/** Finds the spec of a Berth action by its directory name under `actions/`. */
export type ActionLookup = (name: string) => ActionSpec | undefined;

/** How a workflow refers to a Berth action: `berth-dev/berth/actions/<name>@v1`. */
const BERTH_ACTION = /^berth-dev\/berth\/actions\/([a-z0-9-]+)@v1$/;
const CONTEXTS = new Set([
  'github',
  'env',
  'vars',
  'secrets',
  'steps',
  'inputs',
  'needs',
  'matrix',
  'runner',
  'job',
  'strategy',
  'true',
  'false',
  'null',
]);
const PERMISSION_SCOPES = new Set([
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'discussions',
  'id-token',
  'issues',
  'models',
  'packages',
  'pages',
  'pull-requests',
  'repository-projects',
  'security-events',
  'statuses',
]);

type Json = Record<string, unknown>;

const isMap = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every string in a YAML value, with a path for messages. */
function stringsIn(value: unknown, path: string): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringsIn(v, `${path}[${i}]`));
  if (isMap(value)) return Object.entries(value).flatMap(([k, v]) => stringsIn(v, `${path}.${k}`));
  return [];
}

/** Parses an expression and returns the contexts it reads, or throws on a syntax error. */
function contextsOf(expression: string): Set<string> {
  const seen = new Set<string>();
  const anything: unknown = new Proxy(() => {}, {
    get: (_, key) => (key === Symbol.toPrimitive ? () => '' : anything),
  });
  const ctx = new Proxy(
    {},
    {
      get: (_, key) => {
        seen.add(String(key));
        return anything;
      },
    },
  );
  evaluateExpression(expression, ctx);
  return seen;
}

/**
 * Checks a workflow with the repository's structural rules (`checkWorkflowStructure` from
 * `@berth/repo-checks`: triggers, jobs, steps, top-level permissions, SHA pins, no
 * attacker-controlled fields in `run:`), then with what an example users copy must also get
 * right: `permissions: {}` at the top with explicit per-job grants, `id-token: write` exactly
 * where OIDC credentials are used, a version comment on every SHA pin, Berth actions called
 * with inputs their `action.yml` declares (required ones present) and read through outputs it
 * declares, step ids that exist, valid expressions over known contexts, no `${{ }}` at all
 * inside `run:` (values reach scripts through `env:`), and a timeout on every job. Returns
 * the problems, one line each.
 */
export function validateWorkflow(file: string, text: string, lookup: ActionLookup): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${file}: ${where}: ${what}`);
  for (const p of checkWorkflowStructure(text, file)) {
    problem(p.line === undefined ? 'structure' : `line ${p.line}`, p.message);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    for (const e of doc.errors) problem('yaml', e.message);
    return problems;
  }
  const wf = doc.toJS() as unknown;
  if (!isMap(wf)) return problems;
  if (typeof wf.name !== 'string') problem('name', 'missing: name the workflow');
  if (!isMap(wf.permissions) || Object.keys(wf.permissions).length > 0) {
    problem('permissions', 'set `permissions: {}` at the top and grant per job');
  }
  for (const [path, value] of stringsIn(wf, file)) {
    for (const expression of expressionsIn(value)) {
      try {
        for (const name of contextsOf(expression)) {
          if (!CONTEXTS.has(name))
            problem(path, `unknown context "${name}" in \${{ ${expression} }}`);
        }
      } catch (error) {
        problem(path, `invalid expression \${{ ${expression} }}: ${(error as Error).message}`);
      }
    }
  }
  const lines = text.split('\n');
  const jobs = isMap(wf.jobs) ? wf.jobs : {};
  for (const [jobId, job] of Object.entries(jobs)) {
    const at = `jobs.${jobId}`;
    if (!isMap(job)) {
      problem(at, 'not a mapping');
      continue;
    }
    if (typeof job['timeout-minutes'] !== 'number') problem(at, 'no timeout-minutes');
    const grants = isMap(job.permissions) ? job.permissions : undefined;
    if (!grants) problem(at, 'no permissions (grant exactly what the job uses)');
    for (const [scope, level] of Object.entries(grants ?? {})) {
      if (!PERMISSION_SCOPES.has(scope)) problem(`${at}.permissions`, `unknown scope ${scope}`);
      if (!['read', 'write', 'none'].includes(String(level))) {
        problem(`${at}.permissions.${scope}`, `unknown level ${String(level)}`);
      }
    }
    const steps = Array.isArray(job.steps) ? (job.steps as unknown[]) : [];
    const usesOidc = steps.some(
      (s) => isMap(s) && String(s.uses ?? '').startsWith('aws-actions/configure-aws-credentials@'),
    );
    if (usesOidc && grants?.['id-token'] !== 'write') {
      problem(`${at}.permissions`, 'configure-aws-credentials needs id-token: write for OIDC');
    }
    if (!usesOidc && grants?.['id-token'] === 'write') {
      problem(`${at}.permissions`, 'id-token: write granted but nothing uses OIDC');
    }
    const specs = new Map<string, ActionSpec>();
    const ids = new Set<string>();
    for (const [i, step] of steps.entries()) {
      const where = `${at}.steps[${i}]${isMap(step) && step.id ? ` (${String(step.id)})` : ''}`;
      if (!isMap(step)) continue;
      if (typeof step.id === 'string') ids.add(step.id);
      const hasUses = typeof step.uses === 'string';
      const hasRun = typeof step.run === 'string';
      if (hasRun && (step.run as string).includes('${{')) {
        problem(where, 'no ${{ }} inside run: pass values through env: instead');
      }
      if (step.with !== undefined && !isMap(step.with)) problem(`${where}.with`, 'not a mapping');
      if (!hasUses) continue;
      const uses = step.uses as string;
      if (uses.startsWith('./')) continue;
      const berth = BERTH_ACTION.exec(uses);
      if (berth) {
        const spec = lookup(berth[1] as string);
        if (!spec) {
          problem(where, `${uses}: no action ${berth[1]} under actions/`);
          continue;
        }
        if (typeof step.id === 'string') specs.set(step.id, spec);
        const given = isMap(step.with) ? step.with : {};
        for (const key of Object.keys(given)) {
          if (!(key in spec.inputs)) problem(`${where}.with`, `${berth[1]} has no input "${key}"`);
        }
        for (const [key, input] of Object.entries(spec.inputs)) {
          if (input.required && input.default === undefined && !(key in given)) {
            problem(`${where}.with`, `${berth[1]} requires input "${key}"`);
          }
        }
        continue;
      }
      if (uses.startsWith('berth-dev/berth/')) {
        problem(where, `${uses}: Berth actions are used as berth-dev/berth/actions/<name>@v1`);
        continue;
      }
      if (pinProblem(uses)) continue;
      const line = lines.find((l) => l.includes(`uses: ${uses}`));
      if (!line || !/#\s*v\d/.test(line)) {
        problem(where, `${uses}: add the version as a comment (# vX.Y.Z)`);
      }
    }
    for (const [path, value] of stringsIn(job, at)) {
      for (const m of value.matchAll(/steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)/g)) {
        const [, id, output] = m as unknown as [string, string, string];
        if (!ids.has(id)) problem(path, `steps.${id}: no step with that id in ${jobId}`);
        const spec = specs.get(id);
        if (spec && !spec.outputs.includes(output)) {
          problem(path, `steps.${id}.outputs.${output}: the action has no such output`);
        }
      }
    }
  }
  return problems;
}

/** Reads the inputs and outputs of an `action.yml` text. */
export function parseActionSpec(text: string): ActionSpec {
  const action = parseDocument(text).toJS() as Json;
  const inputs = isMap(action.inputs) ? action.inputs : {};
  return {
    inputs: Object.fromEntries(
      Object.entries(inputs).map(([k, v]) => [
        k,
        {
          ...(isMap(v) && v.required === true ? { required: true } : {}),
          ...(isMap(v) && v.default !== undefined ? { default: v.default } : {}),
        },
      ]),
    ),
    outputs: isMap(action.outputs) ? Object.keys(action.outputs) : [],
  };
}
