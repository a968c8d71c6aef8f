// `npm run demo` / `pnpm demo`: Berth's main job end to end on a local AWS emulator, with the
// real built CLIs. Starts its own moto server and always stops it: at the end, on a failing
// step, and on Ctrl-C.
//
// Usage: node scripts/demo/main.ts [--report FILE] [--until N]
//   --report FILE   also write a JSON report (steps, timings, leftovers) to FILE
//   --until N       stop after step N (the emulator is still stopped and cleaned up)
// BERTH_DEMO_FAIL_STEP=N makes step N fail after it ran (the tests use it to prove that a
// failing step still stops the emulator and names the step).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createCliRunner, missingClis } from './cli.ts';
import type { DemoContext, Step } from './context.ts';
import { createOutput } from './output.ts';
import { emulatorStep } from './steps/emulator.ts';
import { heartbeatStep } from './steps/heartbeat.ts';
import { ipWindowStep } from './steps/ip-window.ts';
import { previewStep } from './steps/preview.ts';
import { rollbackStep } from './steps/rollback.ts';
import { secretsStep } from './steps/secrets.ts';
import { teardownStep } from './steps/teardown.ts';

const STEPS: Step[] = [
  emulatorStep,
  previewStep,
  rollbackStep,
  secretsStep,
  ipWindowStep,
  heartbeatStep,
  teardownStep,
];

/** Variables passed through to the CLIs; everything AWS-related comes from the demo itself. */
const PASSED_ENV = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TERM', 'NO_COLOR', 'SystemRoot'];

interface StepReport {
  n: number;
  title: string;
  ok: boolean;
  durationMs: number;
  error?: string;
}

const USAGE = 'Usage: node scripts/demo/main.ts [--report FILE] [--until N]';
let flags: { report?: string; until?: string; help?: boolean };
try {
  ({ values: flags } = parseArgs({
    options: {
      report: { type: 'string' },
      until: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`demo: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const until = flags.until === undefined ? STEPS.length : Number(flags.until);
if (!Number.isInteger(until) || until < 1 || until > STEPS.length) {
  process.stderr.write(`demo: --until must be a step number from 1 to ${STEPS.length}\n`);
  process.exit(2);
}
const steps = STEPS.slice(0, until);

const root = resolve(import.meta.dirname, '../..');
const out = createOutput();
const started = performance.now();
const missing = missingClis(
  root,
  steps.flatMap((s) => s.tools),
);
if (missing.length > 0) {
  process.stderr.write(
    `demo: the CLIs of ${missing.join(', ')} are not built. Run \`npm run demo\` (it sets up and builds) or \`pnpm build\`.\n`,
  );
  process.exit(1);
}

const workDir = await mkdtemp(join(tmpdir(), 'berth-demo-'));
const cleanups: (() => Promise<void> | void)[] = [
  () => rm(workDir, { recursive: true, force: true }),
];
const env: NodeJS.ProcessEnv = {
  // No real AWS configuration can leak in: every CLI talks to the emulator only.
  AWS_CONFIG_FILE: join(workDir, 'no-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(workDir, 'no-aws-credentials'),
};
for (const name of PASSED_ENV) if (process.env[name] !== undefined) env[name] = process.env[name];
// Commands the CLIs run (`node -e ...`, `node scripts/demo/show-ingress.ts`) get this Node,
// not an older `node` that happens to be first on the caller's PATH.
env.PATH = [dirname(process.execPath), env.PATH].filter(Boolean).join(delimiter);
const cli = createCliRunner({ root, cwd: workDir, env, out });
const ctx: DemoContext = {
  root,
  workDir,
  out,
  cli,
  env,
  aws: {
    region: 'us-east-1',
    endpoint: '',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  },
  state: {
    repository: '123456789012.dkr.ecr.us-east-1.amazonaws.com/app',
    referenceTag: '',
    prTags: [],
    prTaskDefinitions: [],
    branchEnvironment: 'feature/checkout-redesign-with-one-click-payments',
  },
  onCleanup: (fn) => {
    cleanups.push(fn);
  },
};

let cleaning: Promise<void> | undefined;
let interrupted = false;
/** Runs every registered cleanup once, newest first; a failing one does not stop the rest. */
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const fn of cleanups.reverse()) {
      try {
        await fn();
      } catch (error) {
        process.stderr.write(`demo: cleanup failed: ${(error as Error).message}\n`);
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    const code = 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1);
    // A second Ctrl-C does not wait: the emulator is killed on exit (see startMoto).
    if (interrupted) process.exit(code);
    interrupted = true;
    process.stderr.write(`\ndemo: ${signal}: stopping the running command and the emulator…\n`);
    void cli
      .stopAll('SIGTERM')
      .then(cleanup)
      .then(() => process.stderr.write('demo: stopped; the emulator is gone.\n'))
      .finally(() => process.exit(code));
  });
}

out.plain('Berth demo: the main job on a local AWS emulator (no AWS account, no internet).');
out.plain('Every command below is a real Berth CLI, run as you would type it.');
const reports: StepReport[] = [];
let failed: StepReport | undefined;
/** Parks the main flow once a signal came: the handler cleans up and exits. */
const parkIfInterrupted = async () => {
  if (interrupted) await new Promise(() => {});
};
for (const [i, step] of steps.entries()) {
  await parkIfInterrupted();
  out.step(i + 1, STEPS.length, step.title);
  const t0 = performance.now();
  const report: StepReport = { n: i + 1, title: step.title, ok: true, durationMs: 0 };
  try {
    await step.run(ctx);
    if (process.env.BERTH_DEMO_FAIL_STEP === String(i + 1)) {
      throw new Error('failure injected by BERTH_DEMO_FAIL_STEP');
    }
  } catch (error) {
    // A CLI killed by Ctrl-C is not a failing step.
    await parkIfInterrupted();
    report.ok = false;
    report.error = (error as Error).message;
    failed = report;
  }
  report.durationMs = Math.round(performance.now() - t0);
  reports.push(report);
  if (failed) break;
}

await cleanup();
const durationMs = Math.round(performance.now() - started);
const seconds = (durationMs / 1000).toFixed(1);
if (failed) {
  out.plain('');
  out.fail(`step ${failed.n} (${failed.title}) failed:`);
  out.block(failed.error ?? '');
  out.plain(`\nDemo failed at step ${failed.n} after ${seconds}s; the emulator was stopped.`);
} else {
  const which = until === STEPS.length ? 'every step' : `steps 1-${until}`;
  out.plain(`\nDone in ${seconds}s: ${which} passed and the emulator was stopped.`);
  out.plain('Next: README.md (packages and actions), examples/ (workflows and programs to copy).');
}
if (flags.report) {
  await writeFile(
    flags.report,
    `${JSON.stringify({ ok: !failed, durationMs, steps: reports, leftovers: ctx.leftovers ?? null }, null, 2)}\n`,
  );
}
process.exitCode = failed ? 1 : 0;
