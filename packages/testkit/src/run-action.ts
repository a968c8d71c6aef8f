import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { type ExpressionContext, evaluateCondition, interpolate } from './expressions.ts';
import { runProcess } from './run-process.ts';

/** An `action.yml`, as far as running it in tests needs. */
export interface ActionMetadata {
  name: string;
  description?: string;
  inputs?: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs?: Record<string, { description?: string; value?: string }>;
  runs: {
    using: string;
    main?: string;
    post?: string;
    'post-if'?: string;
    steps?: ActionStep[];
  };
  branding?: { icon?: string; color?: string };
}

/** One step of a composite action. */
export interface ActionStep {
  id?: string;
  name?: string;
  if?: string | boolean;
  run?: string;
  shell?: string;
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
  'continue-on-error'?: boolean;
  'working-directory'?: string;
}

/** Options of {@link runAction}. */
export interface RunActionOptions {
  /** Inputs as a workflow's `with:` gives them. */
  inputs?: Record<string, string>;
  /** Environment of the job (AWS endpoint, GITHUB_API_URL, ...), added to this process's. */
  env?: NodeJS.ProcessEnv;
  /** The triggering event: name and a real-shaped payload (written to GITHUB_EVENT_PATH). */
  event?: { name: string; payload: unknown };
  /** Extra `github` context values (repository, token, ref, ...). */
  github?: Record<string, unknown>;
  /** `job.status` for `if:` conditions and post steps (default success). */
  jobStatus?: 'success' | 'failure' | 'cancelled';
  /** Node actions: run `main`, `post`, or both (default both). */
  phase?: 'main' | 'post' | 'both';
  /** State for a `post`-only run (`STATE_*`). */
  state?: Record<string, string>;
  /** Working directory of the steps (default a fresh temp dir, the "workspace"). */
  cwd?: string;
  /** Kills a step that runs longer (default 120 s). */
  stepTimeoutMs?: number;
}

/** What one step (or node phase) did. */
export interface StepRecord {
  id?: string;
  name?: string;
  /** `run`, `uses` (recorded, not executed: remote actions cannot run here), `main`, `post`. */
  kind: 'run' | 'uses' | 'main' | 'post';
  uses?: string;
  skipped: boolean;
  exitCode?: number;
  outputs: Record<string, string>;
}

/** The result of {@link runAction}. */
export interface ActionRun {
  /** 0 when every executed step succeeded, else the first failing step's code. */
  exitCode: number;
  outputs: Record<string, string>;
  /** Everything written to GITHUB_STEP_SUMMARY. */
  summary: string;
  stdout: string;
  stderr: string;
  /** Saved state (`GITHUB_STATE`). */
  state: Record<string, string>;
  /** Variables exported with GITHUB_ENV. */
  exportedEnv: Record<string, string>;
  /** Values masked with `::add-mask::`. */
  masks: string[];
  steps: StepRecord[];
  /** The workspace directory the steps ran in. */
  workspace: string;
}

/** Reads and parses `<actionDir>/action.yml`. */
export function readActionMetadata(actionDir: string): ActionMetadata {
  const file = ['action.yml', 'action.yaml']
    .map((f) => join(actionDir, f))
    .find((f) => {
      try {
        readFileSync(f);
        return true;
      } catch {
        return false;
      }
    });
  if (!file) throw new Error(`no action.yml in ${actionDir}`);
  return parseYaml(readFileSync(file, 'utf8')) as ActionMetadata;
}

/** Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file (`k=v` and heredoc forms). */
export function parseCommandFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line === '') continue;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, key, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] as string);
      out[key] = value.join('\n');
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

async function runStep(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = await runProcess(command, args, { env, cwd, timeoutMs });
  return { code: run.code ?? (run.signal ? 128 : 1), stdout: run.stdout, stderr: run.stderr };
}

/**
 * Runs an action from its folder the way the GitHub runner does, so a test exercises the
 * real `action.yml`: composite `run:` steps in bash with their `env:` mapping and `if:`
 * conditions evaluated, outputs wired from `steps.<id>.outputs`; node actions as `main`
 * then `post` (per `post-if`) with `INPUT_*` and `STATE_*`. `uses:` steps are recorded but
 * not run. GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE, GITHUB_STEP_SUMMARY and
 * GITHUB_EVENT_PATH are real files in a temp dir.
 */
export async function runAction(
  actionDir: string,
  options: RunActionOptions = {},
): Promise<ActionRun> {
  const dir = resolve(actionDir);
  const meta = readActionMetadata(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'berth-action-'));
  const workspace = options.cwd ?? mkdtempSync(join(tmpdir(), 'berth-workspace-'));
  const summaryFile = join(tmp, 'summary.md');
  const envFile = join(tmp, 'env');
  const stateFile = join(tmp, 'state');
  const eventFile = join(tmp, 'event.json');
  for (const f of [summaryFile, envFile, stateFile]) writeFileSync(f, '');
  writeFileSync(eventFile, JSON.stringify(options.event?.payload ?? {}));

  const inputs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    if (spec.default !== undefined) inputs[name] = String(spec.default);
  }
  Object.assign(inputs, options.inputs ?? {});

  const githubEnv: NodeJS.ProcessEnv = {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_ACTION_PATH: dir,
    GITHUB_EVENT_NAME: options.event?.name ?? 'workflow_dispatch',
    GITHUB_EVENT_PATH: eventFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_ENV: envFile,
    GITHUB_STATE: stateFile,
    GITHUB_WORKSPACE: workspace,
    GITHUB_REPOSITORY: String(options.github?.repository ?? 'berth-dev/demo'),
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_SHA: 'ffac537e6cbbf934b08745a378932722df287a53',
    RUNNER_TEMP: tmp,
    RUNNER_OS: 'Linux',
  };
  const exportedEnv: Record<string, string> = {};
  const baseEnv = (): NodeJS.ProcessEnv => ({
    ...process.env,
    ...options.env,
    ...githubEnv,
    ...exportedEnv,
  });
  const context = (steps: Record<string, { outputs: Record<string, string>; outcome: string }>) =>
    ({
      inputs,
      github: {
        action_path: dir,
        event_name: githubEnv.GITHUB_EVENT_NAME,
        event: options.event?.payload ?? {},
        repository: githubEnv.GITHUB_REPOSITORY,
        workspace,
        run_id: githubEnv.GITHUB_RUN_ID,
        server_url: 'https://github.com',
        api_url: options.env?.GITHUB_API_URL ?? 'https://api.github.com',
        ...options.github,
      },
      env: { ...options.env, ...exportedEnv },
      steps,
      runner: { os: 'Linux', temp: tmp },
      job: { status: options.jobStatus ?? 'success' },
    }) satisfies ExpressionContext;

  // The runner evaluates expressions in input defaults too (`default: ${{ github.token }}`).
  for (const [name, spec] of Object.entries(meta.inputs ?? {})) {
    const raw = spec.default;
    if (options.inputs?.[name] === undefined && typeof raw === 'string' && raw.includes('${{')) {
      inputs[name] = interpolate(raw, context({}));
    }
  }

  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const records: StepRecord[] = [];
  const stepTimeout = options.stepTimeoutMs ?? 120_000;
  const outputs: Record<string, string> = {};

  try {
    if (meta.runs.using === 'composite') {
      const steps: Record<string, { outputs: Record<string, string>; outcome: string }> = {};
      let failed = false;
      for (const [index, step] of (meta.runs.steps ?? []).entries()) {
        const ctx = {
          ...context(steps),
          job: { status: failed ? 'failure' : (options.jobStatus ?? 'success') },
        };
        const record: StepRecord = {
          ...(step.id ? { id: step.id } : {}),
          ...(step.name ? { name: step.name } : {}),
          kind: step.uses ? 'uses' : 'run',
          ...(step.uses ? { uses: step.uses } : {}),
          skipped: !evaluateCondition(step.if, ctx),
          outputs: {},
        };
        records.push(record);
        if (record.skipped || step.uses || step.run === undefined) {
          if (step.id)
            steps[step.id] = { outputs: {}, outcome: record.skipped ? 'skipped' : 'success' };
          continue;
        }
        const outputFile = join(tmp, `output-${index}`);
        writeFileSync(outputFile, '');
        const stepEnv: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(step.env ?? {}))
          stepEnv[k] = interpolate(String(v), ctx);
        const script = join(tmp, `step-${index}.sh`);
        writeFileSync(script, interpolate(step.run, ctx));
        const result = await runStep(
          'bash',
          ['--noprofile', '--norc', '-eo', 'pipefail', script],
          { ...baseEnv(), ...stepEnv, GITHUB_OUTPUT: outputFile },
          step['working-directory'] ? resolve(workspace, step['working-directory']) : workspace,
          stepTimeout,
        );
        stdout += result.stdout;
        stderr += result.stderr;
        record.exitCode = result.code;
        record.outputs = parseCommandFile(readFileSync(outputFile, 'utf8'));
        Object.assign(exportedEnv, parseCommandFile(readFileSync(envFile, 'utf8')));
        if (step.id) {
          steps[step.id] = {
            outputs: record.outputs,
            outcome: result.code === 0 ? 'success' : 'failure',
          };
        }
        if (result.code !== 0 && !step['continue-on-error']) {
          failed = true;
          if (exitCode === 0) exitCode = result.code;
        }
      }
      const ctx = context(steps);
      for (const [name, spec] of Object.entries(meta.outputs ?? {})) {
        outputs[name] = spec.value ? interpolate(spec.value, ctx) : '';
      }
    } else if (/^node\d+$/.test(meta.runs.using)) {
      const phase = options.phase ?? 'both';
      const inputEnv: NodeJS.ProcessEnv = {};
      for (const [k, v] of Object.entries(inputs)) inputEnv[inputEnvName(k)] = v;
      const runPhase = async (
        kind: 'main' | 'post',
        entry: string,
        state: Record<string, string>,
      ) => {
        const outputFile = join(tmp, `output-${kind}`);
        writeFileSync(outputFile, '');
        const stateEnv: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(state)) stateEnv[`STATE_${k}`] = v;
        const result = await runStep(
          process.execPath,
          [join(dir, entry)],
          { ...baseEnv(), ...inputEnv, ...stateEnv, GITHUB_OUTPUT: outputFile },
          workspace,
          stepTimeout,
        );
        stdout += result.stdout;
        stderr += result.stderr;
        const record: StepRecord = {
          kind,
          skipped: false,
          exitCode: result.code,
          outputs: parseCommandFile(readFileSync(outputFile, 'utf8')),
        };
        records.push(record);
        if (kind === 'main') Object.assign(outputs, record.outputs);
        if (result.code !== 0 && exitCode === 0) exitCode = result.code;
        Object.assign(exportedEnv, parseCommandFile(readFileSync(envFile, 'utf8')));
      };
      if (phase !== 'post' && meta.runs.main) await runPhase('main', meta.runs.main, {});
      const state = { ...options.state, ...parseCommandFile(readFileSync(stateFile, 'utf8')) };
      if (phase !== 'main' && meta.runs.post) {
        const status = exitCode === 0 ? (options.jobStatus ?? 'success') : 'failure';
        const ctx = { ...context({}), job: { status } };
        const runPost = evaluateCondition(meta.runs['post-if'] ?? 'always()', ctx);
        if (runPost) await runPhase('post', meta.runs.post, state);
        else records.push({ kind: 'post', skipped: true, outputs: {} });
      }
    } else {
      throw new Error(`runAction: unsupported runs.using "${meta.runs.using}"`);
    }
    const masks = [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map((m) => m[1] as string);
    return {
      exitCode,
      outputs,
      summary: readFileSync(summaryFile, 'utf8'),
      stdout,
      stderr,
      state: parseCommandFile(readFileSync(stateFile, 'utf8')),
      exportedEnv,
      masks,
      steps: records,
      workspace,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
