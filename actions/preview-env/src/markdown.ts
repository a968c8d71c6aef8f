/**
 * Markdown for text that may come from an attacker (branch names, image tags): an inline code
 * span that no backtick, pipe or newline in the text can break out of.
 */
export function code(text: string): string {
  const flat = text.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A URL as a link when it is a plain http(s) URL, else as code. */
export function link(url: string): string {
  return /^https?:\/\/[^\s<>|()[\]`]+$/.test(url) ? `[${url}](${url})` : code(url);
}

/** A two-column Markdown table of label/value rows (values already Markdown). */
export function table(rows: ReadonlyArray<readonly [string, string]>): string {
  return ['| | |', '| --- | --- |', ...rows.map(([k, v]) => `| **${k}** | ${v} |`)].join('\n');
}

/** `2025-01-02 03:04 UTC`. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
