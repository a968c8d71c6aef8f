// Runs one long step of .ci/run or scripts/setup.sh with short, plain output and visible
// progress: the command's output goes to a log file; what is printed is one line per
// finished turbo task (with its vitest count for tests), a "still running" line when the
// step has been quiet for a while, and on failure the failing tasks' output (or the log's
// end). Off a terminal colours are off (NO_COLOR, FORCE_COLOR=0) and stripped.
//
//   node scripts/ci/step.ts [--log <file>] [--quiet-after <seconds>] -- <command> [args...]
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
if (dashes === -1 || dashes === argv.length - 1) {
  process.stderr.write(
    'usage: node scripts/ci/step.ts [--log <file>] [--quiet-after <s>] -- <command> [args...]\n',
  );
  process.exit(2);
}
const options = argv.slice(0, dashes);
const [command, ...args] = argv.slice(dashes + 1) as [string, ...string[]];
const optionValue = (name: string): string | undefined => {
  const i = options.indexOf(name);
  return i === -1 ? undefined : options[i + 1];
};
const logFile =
  optionValue('--log') ?? join(mkdtempSync(join(tmpdir(), 'berth-step-')), 'step.log');
const quietAfterMs = Number(optionValue('--quiet-after') ?? 30) * 1000;

const out = process.stdout;
const tty = out.isTTY === true;
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences in tool output
const ansi = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g;
const plain = (s: string) => s.replace(ansi, '');
const started = Date.now();
const elapsed = () => {
  const s = Math.round((Date.now() - started) / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
};

const env: NodeJS.ProcessEnv = { ...process.env, TURBO_UI: 'false', TURBO_TELEMETRY_DISABLED: '1' };
if (!tty) {
  env.NO_COLOR = '1';
  env.FORCE_COLOR = '0';
  delete env.CLICOLOR_FORCE;
}

const log = createWriteStream(logFile);
const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });

let lastPrint = Date.now();
const print = (line: string) => {
  out.write(`${line}\n`);
  lastPrint = Date.now();
};
const ticker = setInterval(() => {
  if (Date.now() - lastPrint >= quietAfterMs) print(`  ... still running (${elapsed()})`);
}, 1000);
ticker.unref();

// turbo prefixes every line of a task with `<package>:<task>: ` (--log-prefix=task, the
// default); with --log-order=grouped a task's lines arrive together when it has finished.
const taskLine = /^(@?[\w.-]+(?:\/[\w.-]+)?):([\w:-]+): ?(.*)$/;
interface Task {
  name: string;
  lines: string[];
}
let current: Task | undefined;
const tasks: Task[] = [];
let cached = 0;
const finishTask = () => {
  if (!current) return;
  const text = current.lines.join('\n');
  const tests = [...text.matchAll(/^\s*Tests\s+(.+\(\d+\))\s*$/gm)].pop()?.[1];
  const failed = /ERR!|ELIFECYCLE|command finished with error|Command failed/.test(text);
  // A task replayed from turbo's cache is only counted.
  if (/cache hit/.test(text) && !failed) cached++;
  else print(`  ${failed ? 'x' : '-'} ${current.name}${tests ? `: ${tests}` : ''}`);
  current = undefined;
};

const onLine = (raw: string) => {
  const line = plain(raw);
  log.write(`${line}\n`);
  const m = taskLine.exec(line);
  if (!m) {
    // A warning outside turbo's task output (pnpm install's, say) is shown, not buried.
    if (/^\s*(WARN|warning)\b/.test(line)) print(`  ${line.trim()}`);
    return;
  }
  const name = `${m[1]}#${m[2]}`;
  if (current?.name !== name) {
    finishTask();
    current = tasks.find((t) => t.name === name);
    if (!current) {
      current = { name, lines: [] };
      tasks.push(current);
    }
  }
  current.lines.push(m[3] ?? '');
};
createInterface({ input: child.stdout }).on('line', onLine);
createInterface({ input: child.stderr }).on('line', onLine);

const code: number = await new Promise((resolve) => {
  child.on('error', (error) => {
    log.write(`${error.message}\n`);
    resolve(127);
  });
  child.on('close', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
});
finishTask();
clearInterval(ticker);
if (cached > 0) print(`  ${cached} task(s) unchanged, taken from turbo's cache`);
await new Promise<void>((resolve) => log.end(resolve));

if (code !== 0) {
  const text = readFileSync(logFile, 'utf8');
  const failedNames = [...text.matchAll(/^\s*Failed:\s+(\S+)/gm)].map((m) => m[1] as string);
  const failedTasks = tasks.filter(
    (t) =>
      failedNames.includes(t.name) ||
      /ERR!|ELIFECYCLE|command finished with error/.test(t.lines.join('\n')),
  );
  print(`\n  failed after ${elapsed()} (exit ${code}); full log: ${logFile}`);
  if (failedTasks.length > 0) {
    for (const t of failedTasks) {
      print(`\n--- ${t.name}`);
      for (const line of t.lines.slice(-200)) print(line);
    }
  } else {
    const lines = text.trimEnd().split('\n');
    for (const line of lines.slice(-120)) print(line);
  }
}
process.exitCode = code;
