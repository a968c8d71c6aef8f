import { quoteInput, writeFileAtomic } from '@berth/internal';
import { SecretsEnvError } from './errors.ts';
import { isValidVariableName } from './names.ts';
import { fileErrorReason } from './writable-file.ts';

/*
 * The `dotenv` parser (v16/v17) has three quotings and no escapes except `\n` and `\r` inside
 * double quotes. A quoted value ends at the first unescaped quote of its kind, and
 * `\<quote>` is kept as two characters, so a value ending in a backslash would swallow its
 * closing quote. Carriage returns survive only as `\r` in double quotes (the parser turns
 * raw CR LF into LF). Each value gets the first quoting that carries it exactly.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function encodeValue(value: string): string | undefined {
  if (LONE_SURROGATE.test(value)) return undefined;
  const cr = value.includes('\r');
  const trailingBackslash = value.endsWith('\\');
  if (!cr && !trailingBackslash && !value.includes("'")) return `'${value}'`;
  if (!trailingBackslash && !value.includes('"') && !/\\[nr]/.test(value)) {
    return `"${value.replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
  }
  if (!cr && !trailingBackslash && !value.includes('`')) return `\`${value}\``;
  if (value !== '' && value === value.trim() && !/[#\r\n]/.test(value) && !/^['"`]/.test(value)) {
    return value;
  }
  return undefined;
}

/**
 * Renders variables as a `.env` file: one `NAME='value'` line each, quoted and escaped so
 * the `dotenv` package parses back exactly the same values (newlines, quotes, `#`, `$`,
 * backslashes, unicode). `$` is never expanded by `dotenv` itself; with `dotenv-expand`
 * it would be.
 *
 * @throws SecretsEnvError `E_INVALID_NAME` for a name `dotenv` cannot read back;
 *   `E_DOTENV_UNREPRESENTABLE` for the rare value no quoting carries exactly (for example
 *   one holding all three quote characters and a newline); the message names the variable,
 *   never the value.
 *
 * @example
 * ```ts
 * toDotenv({ HOST: 'db.internal', GREETING: "it's" });
 * // "HOST='db.internal'\nGREETING=\"it's\"\n"
 * ```
 */
export function toDotenv(vars: Readonly<Record<string, string>>): string {
  let out = '';
  for (const [name, value] of Object.entries(vars)) {
    if (!isValidVariableName(name)) {
      throw new SecretsEnvError(
        'E_INVALID_NAME',
        `${quoteInput(name)} is not a valid variable name for a .env file (letters, digits and _, not starting with a digit)`,
      );
    }
    const encoded = encodeValue(value);
    if (encoded === undefined) {
      throw new SecretsEnvError(
        'E_DOTENV_UNREPRESENTABLE',
        `the value of ${name} cannot be written to a .env file so that dotenv reads it back exactly (it mixes quote characters with line breaks, a trailing backslash or invalid UTF-16); load it with exec instead`,
      );
    }
    out += `${name}=${encoded}\n`;
  }
  return out;
}

/**
 * Writes {@link toDotenv} output to `file` with mode 0600, atomically (a temporary file in
 * the same directory renamed over the target), so no reader ever sees half a file.
 *
 * @throws SecretsEnvError the errors of {@link toDotenv} (nothing written), or `E_WRITE`
 *   when the file cannot be written (the target is left as it was).
 */
export async function writeDotenvFile(
  file: string,
  vars: Readonly<Record<string, string>>,
): Promise<void> {
  const text = toDotenv(vars);
  try {
    await writeFileAtomic(file, text, { mode: 0o600 });
  } catch (error) {
    throw new SecretsEnvError(
      'E_WRITE',
      `cannot write ${file}: ${fileErrorReason(error)} (nothing was written)`,
      { cause: error },
    );
  }
}
