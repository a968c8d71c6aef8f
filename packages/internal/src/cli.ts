import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isBerthError, UsageError } from './errors.ts';

/** One option of a command: `node:util` parseArgs config plus help text. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  /** One line for `--help`. */
  description: string;
  /** Placeholder shown in help, e.g. `<zone>`. */
  valueName?: string;
}

/** Options of a command, by long name. */
export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends OptionSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

/** Parsed option values; every option may be absent. */
export type OptionValues<O extends OptionSpecs> = { [K in keyof O]?: ValueOf<O[K]> } & {
  json?: boolean;
  verbose?: boolean;
};

/** Streams and environment of a CLI run, injectable for tests. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
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
  values: OptionValues<O>;
  /** Positionals before `--`. */
  positionals: string[];
  /** Everything after `--` (for commands that run a child). */
  rest: string[];
  io: CliIo;
  log: Logger;
  /** True when `--json` was given. */
  json: boolean;
  /** Writes one line to stdout. */
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

/** Declares a command with its option types inferred. */
export function defineCommand<const O extends OptionSpecs>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}

/** Whether colour is allowed on `stream` (a TTY, and `NO_COLOR` unset). */
export function colorEnabled(stream: Writable, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return Boolean((stream as { isTTY?: boolean }).isTTY);
}

/** A stderr logger prefixed with the program name; colour only when allowed. */
export function createLogger(
  name: string,
  stream: Writable,
  env: NodeJS.ProcessEnv,
  verbose = false,
): Logger {
  const color = colorEnabled(stream, env);
  const paint = (code: string, text: string) => (color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const write = (text: string) => {
    stream.write(`${text}\n`);
  };
  return {
    verbose,
    debug: (m) => {
      if (verbose) write(paint('2', `${name}: ${m}`));
    },
    info: (m) => write(`${name}: ${m}`),
    warn: (m) => write(`${paint('33', `${name}: warning:`)} ${m}`),
    error: (m) => write(`${paint('31', `${name}: error:`)} ${m}`),
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
  const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${
    spec.type === 'string' ? ` ${spec.valueName ?? '<value>'}` : ''
  }`;
  const repeat = spec.multiple ? ' (repeatable)' : '';
  return `  ${flag.padEnd(30)} ${spec.description}${repeat}`;
}

/** Renders `--help` of one command. */
export function commandHelp(program: ProgramSpec, command: CommandSpec): string {
  const all: OptionSpecs = {
    ...command.options,
    ...(command.json ? JSON_OPTION : {}),
    ...GLOBAL_OPTIONS,
  };
  const usagePrefix = command.name === program.defaultCommand ? program.name : `${program.name}`;
  const lines = [`Usage: ${usagePrefix} ${command.usage}`, '', command.summary];
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

function translateParseError(error: unknown): UsageError {
  const e = error as { code?: string; message?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const m = /Unknown option '([^']+)'/.exec(message);
    return new UsageError(`unknown option ${m?.[1] ?? message}`);
  }
  if (e.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const m = /Unexpected argument '([^']+)'/.exec(message);
    return new UsageError(`unexpected argument "${m?.[1] ?? '?'}"`);
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

/** Parses `argv` for `command`: options, positionals, and the part after `--`. */
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
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: own, options: config, allowPositionals: true, strict: true });
  } catch (error) {
    throw translateParseError(error);
  }
  const values = parsed.values as OptionValues<O>;
  if (values.help) return { values, positionals: parsed.positionals, rest };
  const min = command.positionals?.min ?? 0;
  const max = command.positionals?.max ?? 0;
  const names = command.positionals?.names ?? 'argument';
  if (parsed.positionals.length < min) throw new UsageError(`missing ${names}`);
  if (parsed.positionals.length > max) {
    const extra = parsed.positionals[max];
    throw new UsageError(
      command.passThrough && dashDash < 0
        ? `unexpected argument "${extra}": put the command after --, as in -- ${extra} ...`
        : `unexpected argument "${extra}"`,
    );
  }
  if (command.passThrough && rest.length === 0) {
    throw new UsageError('missing the command to run: add -- <command> [args...]');
  }
  return { values, positionals: parsed.positionals, rest };
}

/** The real process streams and environment. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/**
 * Runs a CLI: picks the command, parses its options, handles `--help`, `--version`,
 * `--json`, and turns errors into one line on stderr and an exit code (usage 2, other
 * Berth errors their own code, anything else 1). Returns the exit code; never throws.
 */
export async function runProgram(
  program: ProgramSpec,
  argv: readonly string[],
  io: CliIo = processIo(),
): Promise<number> {
  const log = createLogger(program.name, io.stderr, io.env);
  const first = argv[0];
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
      if (!command) throw new UsageError(`unknown command "${first}"`);
      if (first !== undefined && !first.startsWith('-') && !command.positionals?.max) {
        throw new UsageError(`unknown command "${first}"`);
      }
      args = [...argv];
    }
    const { values, positionals, rest } = parseCommandArgs(command, args);
    if (values.help) {
      io.stdout.write(commandHelp(program, command));
      return 0;
    }
    const json = Boolean(values.json);
    // biome-ignore lint/suspicious/noExplicitAny: the command declares its own option types
    const ctx: CommandContext<any> = {
      values,
      positionals,
      rest,
      io,
      log: createLogger(program.name, io.stderr, io.env, Boolean(values.verbose)),
      json,
      print: (line) => {
        io.stdout.write(`${line}\n`);
      },
      printJson: (value) => {
        io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
      },
    };
    const code = await command.run(ctx);
    return code ?? 0;
  } catch (error) {
    if (error instanceof UsageError) {
      log.error(`${error.message} (see ${program.name} --help)`);
      return 2;
    }
    if (isBerthError(error)) {
      log.error(error.message);
      if (io.env.BERTH_DEBUG && error.cause) log.error(`cause: ${String(error.cause)}`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    log.error(`unexpected failure: ${message}`);
    if (io.env.BERTH_DEBUG && error instanceof Error && error.stack)
      io.stderr.write(`${error.stack}\n`);
    return 1;
  }
}

/** Entry point of a `bin`: runs the program on `process.argv` and sets the exit code. */
export function main(program: ProgramSpec): void {
  void runProgram(program, process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
