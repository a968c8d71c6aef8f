// How the demo talks to the person watching: numbered steps, the commands as they would type
// them, indented tool output, and short notes. Colour only on a terminal without NO_COLOR.
import { colorEnabled } from '../../packages/internal/src/cli.ts';

type Paint = (text: string) => string;

/** The demo's printer. Everything goes to stdout except warnings, in the order it happens. */
export interface Output {
  step(n: number, total: number, title: string): void;
  /** A command line, shown as the user would type it. */
  command(line: string): void;
  /** Output of a command, indented under it. */
  block(text: string, dim?: boolean): void;
  note(text: string): void;
  ok(text: string): void;
  fail(text: string): void;
  /** A `key: value` fact about what was created. */
  fact(key: string, value: string): void;
  plain(text: string): void;
}

/** Creates the printer for `stream` (colour decided once, from the stream and NO_COLOR). */
export function createOutput(
  stream: NodeJS.WritableStream = process.stdout,
  env: NodeJS.ProcessEnv = process.env,
): Output {
  const color = colorEnabled(stream as NodeJS.WriteStream, env);
  const sgr =
    (open: number, close: number): Paint =>
    (text) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  const bold = sgr(1, 22);
  const dim = sgr(2, 22);
  const cyan = sgr(36, 39);
  const green = sgr(32, 39);
  const red = sgr(31, 39);
  const write = (text: string) => stream.write(`${text}\n`);
  const indent = (text: string, paint: Paint) =>
    text
      .replace(/\s+$/, '')
      .split('\n')
      .map((line) => `    ${paint(line)}`)
      .join('\n');
  return {
    step: (n, total, title) => write(`\n${bold(cyan(`[${n}/${total}]`))} ${bold(title)}`),
    command: (line) => write(`  ${dim('$')} ${bold(line)}`),
    block: (text, isDim = false) => {
      if (text.trim() !== '') write(indent(text, isDim ? dim : (s) => s));
    },
    note: (text) => write(`  ${dim(text)}`),
    ok: (text) => write(`  ${green('✓')} ${text}`),
    fail: (text) => write(`  ${red('✗')} ${text}`),
    fact: (key, value) => write(`  ${dim(`${key}:`)} ${value}`),
    plain: (text) => write(text),
  };
}
