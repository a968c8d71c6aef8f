import { describe, expect, it } from 'vitest';
import { quoteInput, safeJson, safeLine } from './safe-text.ts';

describe('safeLine', () => {
  it('keeps plain text as it is', () => {
    expect(safeLine('created pe-pr-1 (https://pr-1.example.com) in 12s')).toBe(
      'created pe-pr-1 (https://pr-1.example.com) in 12s',
    );
    expect(safeLine('a::b ## [x] C:\\path 機能/ログイン 🚀')).toBe(
      'a::b ## [x] C:\\path 機能/ログイン 🚀',
    );
  });

  it('makes one line of text with line breaks and escapes control characters', () => {
    expect(safeLine('nginx:1\n::stop-commands::x')).toBe('nginx:1\\n::stop-commands::x');
    expect(safeLine('a\r\nb\tc')).toBe('a\\r\\nb\\tc');
    expect(safeLine('\u001b[31mred\u0000\u007f\u0085')).toBe('\\x1b[31mred\\x00\\x7f\\x85');
    expect(safeLine('x\u2028y\u202ez')).toBe('x\\u2028y\\u202ez');
  });

  it('neutralises workflow commands at the start of a line and ##[ anywhere', () => {
    expect(safeLine('::add-mask::x')).toBe('\\x3a:add-mask::x');
    expect(safeLine('  \u00a0::error::x')).toBe('  \u00a0\\x3a:error::x');
    expect(safeLine('##[error]boom')).toBe('#\\x23[error]boom');
    expect(safeLine('key: ##[add-mask]x')).toBe('key: #\\x23[add-mask]x');
    // A line break cannot smuggle a command onto a line of its own either.
    expect(safeLine('ok\n::set-output name=a::b').includes('\n')).toBe(false);
    for (const text of ['::x::', ' ::x', '\t::x', '\n::x', '##[x]', 'a\n##[group]']) {
      expect(safeLine(text)).not.toMatch(/^\s*::|##\[|[\n\r]/);
    }
  });
});

describe('quoteInput', () => {
  it('quotes and escapes', () => {
    expect(quoteInput('app/dev')).toBe('"app/dev"');
    expect(quoteInput('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
  });

  it('cuts long values and says how long they were', () => {
    const quoted = quoteInput('x'.repeat(100_000));
    expect(quoted).toBe(`"${'x'.repeat(60)}…" (100000 characters)`);
    expect(quoteInput('abcdef', 3)).toBe('"abc…" (6 characters)');
    // Counted in characters (code points), never cutting one in half.
    expect(quoteInput('🚀'.repeat(5), 2)).toBe('"🚀🚀…" (5 characters)');
  });
});

describe('safeJson', () => {
  it('parses back to the same value and never prints ##[', () => {
    const value = { key: '##[add-mask]x', line: 'a\u2028b', text: '\n::stop-commands::x' };
    const text = safeJson(value);
    expect(text).not.toContain('##[');
    expect(text.split('\n').some((l) => /^\s*::/.test(l))).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });
});
