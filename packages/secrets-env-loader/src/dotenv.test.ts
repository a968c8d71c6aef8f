import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'dotenv';
import { describe, expect, it } from 'vitest';
import { toDotenv, writeDotenvFile } from './dotenv.ts';
import type { SecretsEnvError } from './errors.ts';

const HOSTILE: Record<string, string> = {
  EMPTY: '',
  SPACES: '  padded  ',
  NEWLINES: 'line one\nline two\n\nline four\n',
  CRLF: 'windows\r\nline\rbare cr',
  SINGLE: "it's",
  DOUBLE: 'say "hi"',
  BACKTICK: 'run `ls`',
  SINGLE_DOUBLE: `it's "quoted"`,
  ALL_QUOTES: `it's "quoted" and \`ticked\``,
  HASH: 'value # not a comment',
  HASH_START: '#hash',
  DOLLAR: '$HOME ${PATH} $(rm -rf /)',
  BACKSLASHES: 'C:\\path\\to\\file \\n \\r \\t \\\\',
  TRAILING_BACKSLASH: 'C:\\dir\\',
  ESCAPED_QUOTE_END: "ends with \\'",
  EQUALS: 'a=b=c',
  UNICODE: 'héllo wörld ✓ 日本語 🚀',
  JSONISH: '{"a":1,"b":[true,null]}',
  PEM: '-----BEGIN KEY-----\nMIIB+abc/def==\n-----END KEY-----\n',
  LEADING_QUOTE_ONLY: "'",
  DOUBLE_ONLY: '"',
  FAKE_LINE: "x\nFAKE='injected'\n",
  EXPORT_LINE: 'export OTHER=1',
  TABS: '\tindented\t',
  NUL: 'a\u0000b',
  COLON: 'key: value',
};

describe('toDotenv', () => {
  it('round-trips hostile values exactly through the dotenv parser', () => {
    const text = toDotenv(HOSTILE);
    expect(parse(text)).toEqual(HOSTILE);
  });

  it('round-trips each value alone and after every other value', () => {
    for (const [name, value] of Object.entries(HOSTILE)) {
      expect(parse(toDotenv({ [name]: value }))).toEqual({ [name]: value });
      for (const [other, otherValue] of Object.entries(HOSTILE)) {
        if (other === name) continue;
        const pair = { [name]: value, [other]: otherValue };
        expect(parse(toDotenv(pair))).toEqual(pair);
      }
    }
  });

  it('round-trips random values, refusing only the shapes dotenv cannot carry', () => {
    const alphabet = [
      "'",
      '"',
      '`',
      '\\',
      '\n',
      '\r',
      '#',
      '$',
      ' ',
      '\t',
      '=',
      'a',
      'n',
      'r',
      'é',
      '🚀',
      ':',
    ];
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    // dotenv has no escape for a quote inside its own quoting, turns the text \n and \r
    // into line breaks inside double quotes, keeps CR only as \r there, and reads a trailing
    // backslash as escaping the closing quote.
    const hard = (v: string) =>
      v.includes('\r') ||
      v.endsWith('\\') ||
      (v.includes("'") && v.includes('`') && (v.includes('"') || /\\[nr]/.test(v)));
    let accepted = 0;
    for (let round = 0; round < 3000; round++) {
      const vars: Record<string, string> = {};
      for (let v = 0; v < 4; v++) {
        let value = '';
        const length = Math.floor(random() * 12);
        for (let i = 0; i < length; i++) value += alphabet[Math.floor(random() * alphabet.length)];
        vars[`V${v}`] = value;
      }
      let text: string;
      try {
        text = toDotenv(vars);
      } catch (error) {
        expect((error as SecretsEnvError).code).toBe('E_DOTENV_UNREPRESENTABLE');
        const name = /the value of (V\d)/.exec((error as Error).message)?.[1] ?? '';
        expect(hard(vars[name] ?? ''), JSON.stringify(vars[name])).toBe(true);
        continue;
      }
      expect(parse(text)).toEqual(vars);
      accepted++;
    }
    expect(accepted).toBeGreaterThan(1500);
  });

  it('refuses a value no quoting can carry, naming only the variable', () => {
    const value = `'"\`\nsecret-canary`;
    expect(() => toDotenv({ TRICKY: value })).toThrow(/TRICKY/);
    try {
      toDotenv({ TRICKY: value });
    } catch (error) {
      expect((error as SecretsEnvError).code).toBe('E_DOTENV_UNREPRESENTABLE');
      expect((error as Error).message).not.toContain('secret-canary');
    }
  });

  it('rejects a name dotenv cannot read back', () => {
    expect(() => toDotenv({ 'BAD-NAME': 'x' })).toThrow(
      expect.objectContaining({ code: 'E_INVALID_NAME' }),
    );
  });

  it('writes a 0600 file atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'secrets-env-'));
    try {
      const file = join(dir, '.env');
      await writeFile(file, 'OLD=1\n', { mode: 0o644 });
      await writeDotenvFile(file, HOSTILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(parse(await readFile(file, 'utf8'))).toEqual(HOSTILE);
      const missing = join(dir, 'missing', '.env');
      await expect(writeDotenvFile(missing, { A: 'secret-value' })).rejects.toMatchObject({
        code: 'E_WRITE',
        message: `cannot write ${missing}: its directory does not exist (nothing was written)`,
      });
      expect(await readdir(dir)).toEqual(['.env']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
