import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { type Clock, systemClock } from './clock.ts';
import { InterruptedError, UsageError } from './errors.ts';
import { renderError } from './render-error.ts';
import { childRunning, signalExitCode } from './run-child.ts';
import { quoteInput, safeJson, safeLine } from './safe-text.ts';

/** One option of a command: `node:util` parseArgs config plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Repeatable; the value is an array. A single-value option given twice is refused. */
  multiple?: boolean;
  /** One line for `--help`. */
  description: string;
  /** Placeholder shown in help, e.g. `<zone>`. */
  valueName?: string;
  /** Refuse to run without it (usage error naming it); its value is then never undefined. */
  required?: boolean;
  /** Value when not given (its value is then never undefined); shown in `--help`. */
  default?: string | boolean | readonly string[];
  /** The only values accepted (string options); the value's type is their union. */
  choices?: readonly string[];
}

/** Options of a command, by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

type ScalarOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? boolean
  : S extends { choices: readonly (infer C extends string)[] }
    ? C
    : string;

type ValueOf<S extends OptionSpec> = S['multiple'] extends true ? ScalarOf<S>[] : ScalarOf<S>;

/** Whether an option always has a value after parsing (required, or with a default). */
type AlwaysSet<S extends OptionSpec> = S extends { required: true }
  ? true
  : S extends { default: string | boolean | readonly string[] }
    ? true
    : false;

type Flatten<T> = { [K in keyof T]: T[K] } & {};

/**
 * Parsed option values, typed from the declaration: options declared `required` or with a
 * `default` are always present, the others may be absent; `choices` give a union type.
 */
export type OptionValues<O extends OptionSpecs> = Flatten<
  { -readonly [K in keyof O as AlwaysSet<O[K]> extends true ? K : never]: ValueOf<O[K]> } & {
    -readonly [K in keyof O as AlwaysSet<O[K]> extends true ? never : K]?: ValueOf<O[K]>;
  } & {
    json?: boolean;
    verbose?: boolean;
  }
>;

/** Streams and environment of a CLI run, injectable for tests. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** Becomes `ctx.signal` (default: never aborts; `main()` passes one aborted by signals). */
  signal?: AbortSignal;
  /** Becomes `ctx.clock` (default {@link systemClock}). */
  clock?: Clock;
}

/** Logs to stderr: results go to stdout, everything else here. */
export interface Logger {
  readonly verbose: boolean;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What a command's `run` receives. */
export interface CommandContext<O extends OptionSpecs> {
  /** Option values, typed from the command's `options` (see {@link OptionValues}). */
  values: OptionValues<O>;
  /** Positionals before `--`. */
  positionals: string[];
  /** Everything after `--` (for commands that run a child). */
  rest: string[];
  io: CliIo;
  log: Logger;
  /** True when `--json` was given. */
  json: boolean;
  /**
   * Aborted (reason: an {@link InterruptedError}) when the CLI receives SIGINT, SIGTERM or
   * SIGHUP outside a `runChild` child. Pass it to forward work (AWS calls, sleeps, polls);
   * on abort, stop, run the normal cleanup with fresh calls (not this signal), and return:
   * the process then exits 128+n. A second signal exits at once.
   */
  signal: AbortSignal;
  /** The clock to read "now" from and sleep on (injected in tests). */
  clock: Clock;
  /** Writes one line to stdout, made safe with {@link safeLine} (one line, no workflow command). */
  print(line: string): void;
  /** Writes a JSON document to stdout. */
  printJson(value: unknown): void;
}

/** A (sub)command of a Berth CLI. */
export interface CommandSpec<O extends OptionSpecs = OptionSpecs> {
  name: string;
  summary: string;
  /** Usage line without the program name, e.g. `parse <version> [--json]`. */
  usage: string;
  /** More help text printed under the usage. */
  description?: string;
  options: O;
  /** Adds `--json`. */
  json?: boolean;
  /** Positional arguments accepted before `--` (default 0..0). */
  positionals?: { min?: number; max?: number; names?: string };
  /** Requires `-- <command> [args...]` after the options. */
  passThrough?: boolean;
  run(ctx: CommandContext<O>): Promise<number | undefined> | number | undefined;
}

/** A whole CLI: a name, a version and its commands. */
export interface ProgramSpec {
  name: string;
  version: string;
  summary: string;
  // biome-ignore lint/suspicious/noExplicitAny: commands carry their own option types
  commands: CommandSpec<any>[];
  /** Command run when the first argument is not a command name. */
  defaultCommand?: string;
}

/**
 * Declares a command with its option types inferred from `options`: `required` and
 * defaulted options are never undefined in `ctx.values`, `choices` narrow the type.
 *
 * @example
 * ```ts
 * export const parseCommand = defineCommand({
 *   name: 'parse',
 *   summary: 'Reads a version back',
 *   usage: 'parse <version> [--precision second|minute] [--json]',
 *   json: true,
 *   positionals: { min: 1, max: 1, names: '<version>' },
 *   options: {
 *     precision: { type: 'string', choices: ['second', 'minute'], default: 'second', description: 'Precision' },
 *     tz: { type: 'string', required: true, description: 'Time zone' },
 *   },
 *   run({ values }) {
 *     values.precision; // 'second' | 'minute'
 *     values.tz; // string
 *     return 0;
 *   },
 * });
 * ```
 */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  for (const [name, option] of Object.entries(spec.options)) checkOptionSpec(name, option);
  return spec;
}

function checkOptionSpec(name: string, option: OptionSpec): void {
  const fail = (why: string) => {
    throw new TypeError(`option --${name}: ${why}`);
  };
  if (option.default !== undefined) {
    if (option.required) fail('required and a default cannot go together');
    const values = Array.isArray(option.default) ? option.default : [option.default];
    if (Array.isArray(option.default) !== Boolean(option.multiple)) {
      fail(option.multiple ? 'the default must be an array' : 'the default must not be an array');
    }
    for (const v of values) {
      if (typeof v !== (option.type === 'boolean' ? 'boolean' : 'string')) {
        fail(`the default must be a ${option.type}`);
      }
      if (option.choices && !option.choices.includes(v as string)) {
        fail('the default must be one of the choices');
      }
    }
  }
  if (option.choices && option.type !== 'string') fail('choices need type string');
}

/** Whether colour is allowed on `stream` (a TTY, and `NO_COLOR` unset). */
export function colorEnabled(stream: Writable, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

/**
 * A stderr logger prefixed with the program name; colour only when allowed. Every message
 * goes through {@link safeLine}: one line, control characters escaped, no workflow command.
 */
export function createLogger(
  name: string,
  stream: Writable,
  env: NodeJS.ProcessEnv,
  verbose = false,
): Logger {
  const color = colorEnabled(stream, env);
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const prefix = safeLine(name);
  const write = (text: string) => {
    stream.write(`${text}\n`);
  };
  return {
    verbose,
    debug: (m) => {
      if (verbose) write(paint('2', `${prefix}: ${safeLine(m)}`));
    },
    info: (m) => write(`${prefix}: ${safeLine(m)}`),
    warn: (m) => write(`${paint('33', `${prefix}: warning:`)} ${safeLine(m)}`),
    error: (m) => write(`${paint('31', `${prefix}: error:`)} ${safeLine(m)}`),
  };
}

const GLOBAL_OPTIONS: OptionSpecs = {
  help: { type: 'boolean', short: 'h', description: 'Show this help' },
  verbose: { type: 'boolean', description: 'Log more detail to stderr' },
};
const JSON_OPTION: OptionSpecs = {
  json: { type: 'boolean', description: 'Print the result as JSON on stdout' },
};

function optionLine(name: string, spec: OptionSpec): string {
  const value = spec.choices ? `<${spec.choices.join('|')}>` : (spec.valueName ?? '<value>');
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${
    spec.type === 'string' ? ` ${value}` : ''
  }`;
  const notes: string[] = [];
  if (spec.multiple) notes.push('repeatable');
  if (spec.required) notes.push('required');
  const shownDefault = Array.isArray(spec.default) ? spec.default.join(', ') : spec.default;
  if (spec.default !== undefined && shownDefault !== '' && spec.default !== false) {
    notes.push(`default: ${shownDefault}`);
  }
  const extra = notes.length ? ` (${notes.join('; ')})` : '';
  return `  ${flag.padEnd(30)} ${spec.description}${extra}`;
}

/** Renders `--help` of one command. */
export function commandHelp(program: ProgramSpec, command: CommandSpec): string {
  const all: OptionSpecs = {
    ...command.options,
    ...(command.json ? JSON_OPTION : {}),
    ...GLOBAL_OPTIONS,
  };
  const lines = [`Usage: ${program.name} ${command.usage}`, '', command.summary];
  if (command.description) lines.push('', command.description.trimEnd());
  lines.push('', 'Options:');
  for (const [name, spec] of Object.entries(all)) lines.push(optionLine(name, spec));
  return `${lines.join('\n')}\n`;
}

/** Renders the program's `--help`. */
export function programHelp(program: ProgramSpec): string {
  const width = Math.max(...program.commands.map((c) => c.name.length)) + 2;
  const lines = [`${program.name} ${program.version}: ${program.summary}`, '', 'Usage:'];
  for (const c of program.commands) {
    lines.push(`  ${program.name} ${c.usage}`);
  }
  lines.push('', 'Commands:');
  for (const c of program.commands) lines.push(`  ${c.name.padEnd(width)}${c.summary}`);
  lines.push(
    '',
    `Run '${program.name} <command> --help' for a command's options.`,
    'Exit codes: 0 ok, 1 failed, 2 usage error (see each command for others).',
  );
  return `${lines.join('\n')}\n`;
}

/** An argument echoed in a message: as typed when short and plain, else quoted and cut. */
function echo(value: string): string {
  return /^[\x21-\x7e]{1,60}$/.test(value) ? value : quoteInput(value);
}

function translateParseError(error: unknown): UsageError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '([^']+)'/.exec(message);
    return new UsageError(`unknown option ${m?.[1] === undefined ? message : echo(m[1])}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const m = /Unexpected argument '([^']+)'/.exec(message);
    return new UsageError(`unexpected argument ${quoteInput(m?.[1] ?? '?')}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const m = /Option '([^']+)'/.exec(message);
    return new UsageError(
      m
        ? `${(m[1] ?? '').replace(/ <value>$/, '')} needs a value`
        : (message.split('\n')[0] ?? message),
    );
  }
  return new UsageError(message.split('\n')[0] ?? message);
}

/** `--name` (and `-n`) as the user may have typed it, for messages. */
function flagName(name: string, spec: OptionSpec | undefined): string {
  return spec?.short ? `--${name} (-${spec.short})` : `--${name}`;
}

/**
 * Parses `argv` for `command`: options, positionals, and the part after `--`. Refuses
 * (with a {@link UsageError}) unknown options, a single-value option given more than once,
 * a missing `required` option, a value outside `choices`, and wrong positional counts;
 * fills in `default`s.
 */
export function parseCommandArgs<O extends OptionSpecs>(
  command: CommandSpec<O>,
  argv: readonly string[],
): { values: OptionValues<O>; positionals: string[]; rest: string[] } {
  const dashDash = command.passThrough ? argv.indexOf('--') : -1;
  const own = dashDash >= 0 ? argv.slice(0, dashDash) : [...argv];
  const rest = dashDash >= 0 ? argv.slice(dashDash + 1) : [];
  const specs: OptionSpecs = {
    ...command.options,
    ...(command.json ? JSON_OPTION : {}),
    ...GLOBAL_OPTIONS,
  };
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> =
    {};
  for (const [name, spec] of Object.entries(specs)) {
    config[name] = {
      type: spec.type,
      ...(spec.short ? { short: spec.short } : {}),
      ...(spec.multiple ? { multiple: true } : {}),
    };
  }
  const parse = () =>
    parseArgs({ args: own, options: config, allowPositionals: true, strict: true, tokens: true });
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    throw translateParseError(error);
  }
  const values = parsed.values as Record<string, unknown>;
  if (values.help)
    return { values: values as OptionValues<O>, positionals: parsed.positionals, rest };

  // node:util keeps the last of a repeated single-value option; taking one silently would
  // run with a value the user may not have meant.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    if (spec?.type !== 'string' || spec.multiple) continue;
    if (seen.has(token.name)) {
      throw new UsageError(`${flagName(token.name, spec)} given more than once`);
    }
    seen.add(token.name);
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (values[name] === undefined && spec.default !== undefined) {
      values[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    }
    const value = values[name];
    if (spec.required && (value === undefined || (Array.isArray(value) && value.length === 0))) {
      throw new UsageError(`missing ${flagName(name, spec)}: it is required`);
    }
    if (spec.choices && value !== undefined) {
      for (const v of Array.isArray(value) ? value : [value]) {
        if (!spec.choices.includes(v as string)) {
          throw new UsageError(
            `--${name} must be one of ${spec.choices.join(', ')}; got ${quoteInput(String(v))}`,
          );
        }
      }
    }
  }

  const min = command.positionals?.min ?? 0;
  const max = command.positionals?.max ?? 0;
  const names = command.positionals?.names ?? 'argument';
  if (parsed.positionals.length < min) throw new UsageError(`missing ${names}`);
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals[max] ?? '';
    throw new UsageError(
      command.passThrough && dashDash < 0
        ? `unexpected argument ${quoteInput(extra)}: put the command after --, as in -- ${echo(extra)} ...`
        : `unexpected argument ${quoteInput(extra)}`,
    );
  }
  if (command.passThrough && rest.length === 0) {
    throw new UsageError('missing the command to run: add -- <command> [args...]');
  }
  return { values: values as OptionValues<O>, positionals: parsed.positionals, rest };
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Whether `--json` was asked for (before any `--`), to render a parse failure as JSON too. */
function jsonAsked(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end >= 0 ? argv.slice(0, end) : argv).includes('--json');
}

function isErrorDocument(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    'error' in value
  );
}

const NEVER_ABORTED = new AbortController().signal;

/**
 * Runs a CLI: picks the command, parses its options, handles `--help`, `--version`,
 * `--json`, and renders any error in one place ({@link renderError}: one line on stderr;
 * with `--json` also `{"error": {...}}` on stdout) with its exit code (usage 2, other Berth
 * errors their own code, anything else 1). Returns the exit code; never throws.
 */
export async function runProgram(
  program: ProgramSpec,
  argv: readonly string[],
  io: CliIo = processIo(),
): Promise<number> {
  const first = argv[0];
  let json = jsonAsked(argv);
  // Packages not yet on the shared renderer print their own `{"error": ...}`; print one only.
  let errorPrinted = false;
  const signal = io.signal ?? NEVER_ABORTED;
  try {
    if (first === '--version' || first === '-V') {
      io.stdout.write(`${program.version}\n`);
      return 0;
    }
    let command = program.commands.find((c) => c.name === first);
    let args = argv.slice(1);
    if (first === 'help') {
      const target = program.commands.find((c) => c.name === argv[1]);
      io.stdout.write(target ? commandHelp(program, target) : programHelp(program));
      return 0;
    }
    if (!command) {
      if (
        (first === '--help' || first === '-h' || first === undefined) &&
        !program.defaultCommand
      ) {
        io.stdout.write(programHelp(program));
        return first === undefined ? 2 : 0;
      }
      if (first === '--help' || first === '-h') {
        io.stdout.write(programHelp(program));
        return 0;
      }
      command = program.commands.find((c) => c.name === program.defaultCommand);
      if (!command) throw new UsageError(`unknown command ${quoteInput(first ?? '')}`);
      if (first !== undefined && !first.startsWith('-') && !command.positionals?.max) {
        throw new UsageError(`unknown command ${quoteInput(first)}`);
      }
      args = [...argv];
    }
    const { values, positionals, rest } = parseCommandArgs(command, args);
    if (values.help) {
      io.stdout.write(commandHelp(program, command));
      return 0;
    }
    json = Boolean(values.json);
    // biome-ignore lint/suspicious/noExplicitAny: the command declares its own option types
    const ctx: CommandContext<any> = {
      values,
      positionals,
      rest,
      io,
      log: createLogger(program.name, io.stderr, io.env, Boolean(values.verbose)),
      json,
      signal,
      clock: io.clock ?? systemClock,
      print: (line) => {
        io.stdout.write(`${safeLine(line)}\n`);
      },
      printJson: (value) => {
        if (isErrorDocument(value)) errorPrinted = true;
        io.stdout.write(`${safeJson(value)}\n`);
      },
    };
    const code = await command.run(ctx);
    return code ?? 0;
  } catch (thrown) {
    // An abort that escaped the command is the signal's doing: report the signal.
    const error =
      signal.aborted && (thrown as Error | undefined)?.name === 'AbortError'
        ? signal.reason
        : thrown;
    return renderError(error, { program: program.name, json: json && !errorPrinted, io });
  }
}

/** Signals `main()` turns into `ctx.signal` aborts. */
const ABORT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Entry point of a `bin`: runs the program on `process.argv` and sets the exit code.
 *
 * SIGINT, SIGTERM and SIGHUP abort `ctx.signal` (reason: {@link InterruptedError}); the
 * command stops, cleans up and returns, and the process exits 128+n. A second signal exits
 * 128+n at once. While a `runChild` child runs, signals are the child's: `runChild`
 * forwards them and the command returns the child's own exit code.
 */
export function main(program: ProgramSpec): void {
  const controller = new AbortController();
  const log = createLogger(program.name, process.stderr, process.env);
  let received: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (childRunning()) return;
    if (received) {
      log.error(`received ${sig} again: exiting without finishing the cleanup`);
      process.exit(signalExitCode(sig));
    }
    received = sig;
    log.warn(`received ${sig}: stopping and cleaning up (a second signal exits at once)`);
    controller.abort(new InterruptedError(sig));
  };
  for (const sig of ABORT_SIGNALS) process.on(sig, onSignal);
  void runProgram(program, process.argv.slice(2), {
    ...processIo(),
    signal: controller.signal,
  }).then((code) => {
    for (const sig of ABORT_SIGNALS) process.off(sig, onSignal);
    if (received) {
      // Exit now: an aborted request may still hold a socket that would keep us alive.
      process.exit(signalExitCode(received));
    }
    process.exitCode = code;
  });
}
