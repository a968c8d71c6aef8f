/**
 * Text that is safe to print where a GitHub Actions runner (or a terminal) reads it: one
 * line, no control characters, and no way to start a workflow command (`::stop-commands::`,
 * `##[add-mask]`) that Berth did not mean to send.
 */

// C0 controls and DEL, C1 controls, the Unicode line and paragraph separators, and the
// bidirectional overrides and isolates (text that reads differently from what it is).
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** Escapes control characters (`\n` → `\\n`, others `\xNN` / `\uNNNN`); nothing else. */
export function escapeControls(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/**
 * Neutralises workflow commands in a line that has no control characters left: a line
 * whose first non-blank characters are `::` (the runner trims the start of a line before
 * it looks), and `##[` anywhere (the runner's older command form is found anywhere in a
 * line). The first character of each is escaped, so the text stays readable.
 */
function neutraliseCommands(line: string): string {
  return line.replace(/^(\s*):(?=:)/u, '$1\\x3a').replace(/##\[/g, '#\\x23[');
}

/**
 * Makes `text` safe to print as one line: control characters escaped (`\n` → `\\n`, others
 * `\xNN` or `\uNNNN`), and a line that would start a GitHub Actions workflow command
 * (`::name::` after optional blanks, or `##[name]`) neutralised. The logger, `ctx.print`,
 * error rendering and the GitHub Actions helpers apply it to everything they write; use it
 * for anything else printed that came from input, a file, or a server.
 *
 * @example
 * ```ts
 * safeLine('nginx:1\n::stop-commands::x'); // 'nginx:1\\n::stop-commands::x'
 * safeLine('::add-mask::x');              // '\\x3a:add-mask::x'
 * ```
 */
export function safeLine(text: string): string {
  return neutraliseCommands(escapeControls(String(text)));
}

/**
 * Quotes a value the user gave, for an error message: in double quotes, with `"`, `\` and
 * control characters escaped, and cut after `max` characters (code points) with the full
 * length said, so a 100 KB argument does not come back in full.
 *
 * @example
 * ```ts
 * quoteInput('app/dev');           // '"app/dev"'
 * quoteInput('x'.repeat(100_000)); // '"xxxx…" (100000 characters)' (60 x's)
 * ```
 */
export function quoteInput(value: string, max = 60): string {
  const chars = Array.from(String(value));
  const cut = chars.length > max;
  const shown = (cut ? chars.slice(0, max) : chars).join('');
  const escaped = escapeControls(shown.replace(/[\\"]/g, (c) => `\\${c}`));
  return cut ? `"${escaped}…" (${chars.length} characters)` : `"${escaped}"`;
}

/**
 * JSON for stdout that cannot start a workflow command: `JSON.stringify` already escapes
 * control characters and quotes every string (so no line starts with `::`); `##[` is
 * written `##\u005b` and the line separators `\u2028`/`\u2029` escaped, which parse back to
 * the same value.
 */
export function safeJson(value: unknown, indent: number | undefined = 2): string {
  return (JSON.stringify(value, null, indent) ?? 'null')
    .replace(/##\[/g, '##\\u005b')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
