/** The `${{ ... }}` expressions in `text`, without the braces. */
export function expressionsIn(text: string): string[] {
  return [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)].map((m) => (m[1] as string).trim());
}

/**
 * Context fields an attacker controls (branch names, titles, bodies, commit messages, author
 * names), after GitHub's security hardening guide. Inside a `run:` script they are shell
 * injection; they must reach scripts through `env:`.
 */
const UNTRUSTED = [
  /\bgithub\.head_ref\b/,
  /\bgithub\.event\.(issue|pull_request|discussion)\.(title|body)\b/,
  /\bgithub\.event\.(comment|review|review_comment)\.body\b/,
  /\bgithub\.event\.pages\b.*\bpage_name\b/,
  /\bgithub\.event\.(commits|head_commit)\b.*\b(message|email|name)\b/,
  /\bgithub\.event\.pull_request\.head\.(ref|label|repo\.default_branch)\b/,
  /\bgithub\.event\.workflow_run\.(head_branch|display_title|head_commit|pull_requests)\b/,
  /\bgithub\.event\.(release\.(name|body)|issue\.labels|pull_request\.labels)\b/,
];

/** Whether an expression reads an attacker-controlled field (see {@link UNTRUSTED}). */
export function isUntrustedExpression(expression: string): boolean {
  return UNTRUSTED.some((re) => re.test(expression));
}

/** Berth's own repository: its actions are referenced by their release branch (`@v1`). */
export const FIRST_PARTY = 'berth-dev/berth/';

/**
 * Problem with a `uses:` reference, or undefined when it is fine: local (`./...`), Berth's
 * own actions and Docker images by digest are fine; any other action must be pinned to a
 * full 40-hex commit SHA.
 */
export function pinProblem(uses: string): string | undefined {
  if (uses.startsWith('./') || uses.startsWith(FIRST_PARTY)) return undefined;
  if (uses.startsWith('docker://')) {
    return /@sha256:[0-9a-f]{64}$/.test(uses)
      ? undefined
      : `${uses}: pin Docker images by @sha256 digest`;
  }
  const at = uses.lastIndexOf('@');
  if (at < 0) return `${uses}: add @<40-hex commit SHA>`;
  const ref = uses.slice(at + 1);
  return /^[0-9a-f]{40}$/.test(ref)
    ? undefined
    : `${uses}: third-party actions must be pinned by full commit SHA, not "${ref}" (keep the version in a comment: @<sha> # v1.2.3)`;
}

/** 1-based line of the first line of `text` that contains `needle` (after `from`), if any. */
export function lineOf(text: string, needle: string, from = 0): number | undefined {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if ((lines[i] as string).includes(needle)) return i + 1;
  return undefined;
}
