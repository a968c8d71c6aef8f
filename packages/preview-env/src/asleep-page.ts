/** ALB fixed responses carry at most 1024 characters. */
const MAX_BODY = 1024;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/**
 * The small HTML page a sleeping environment's rule answers (503): what happened and the two
 * ways to wake it. Fits the 1024 characters an ALB fixed response allows.
 *
 * @example
 * ```ts
 * asleepPage('pr-123', 123); // '<!doctype html>…/preview wake…'
 * ```
 */
export function asleepPage(name: string, pr?: number): string {
  const n = escapeHtml(name);
  const comment =
    pr === undefined
      ? ''
      : `<li>comment <code>/preview wake</code> on pull request #${pr}, or</li>`;
  const page = [
    '<!doctype html><html lang="en"><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width">',
    `<title>${n} is asleep</title>`,
    '<body style="font:16px/1.5 system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em">',
    `<h1>Preview ${n} is asleep</h1>`,
    '<p>It was put to sleep to save cost: nothing runs until it is woken. Its data and settings are kept.</p>',
    `<p>To wake it:</p><ul>${comment}<li>run <code>preview-env wake ${n}</code>.</li></ul>`,
    '<p>It answers again a minute or two later.</p></body></html>',
  ].join('');
  return page.length <= MAX_BODY ? page : page.slice(0, MAX_BODY);
}
