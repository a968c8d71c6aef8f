import { maskToken } from '@berth/internal';
import { maskSecrets } from './ping-target.ts';

/** A UUID anywhere in a text (check UUIDs are ping credentials). */
const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Replaces every UUID in `text` with its masked form (all but the last 4 characters). */
export function maskUuids(text: string): string {
  return text.replace(UUID_ANYWHERE, (uuid) => maskToken(uuid));
}

/** What a server's answer said, made safe to show. */
export interface ServerText {
  /**
   * The answer's text (a JSON `error` field when there is one), on one line, at most 200
   * characters, with UUIDs and the given secrets masked; undefined for an empty answer or
   * an HTML page.
   */
  quoted?: string;
  /** True when the answer was an HTML page (never quoted: it is not the API's answer). */
  html: boolean;
}

/**
 * Reads an answer's body for an error message. Healthchecks answers unknown checks and
 * routes with a whole HTML page (carrying the path, so the check's UUID): that is reported
 * as "an HTML page", never quoted. Django serves plain answers as `text/html` too
 * (`check is not paused`), so HTML is told by the body, not by the content type.
 */
export function serverText(
  answer: { body: Uint8Array },
  secrets: readonly string[] = [],
  max = 200,
): ServerText {
  const raw = Buffer.from(answer.body).toString('utf8').trim();
  if (raw === '') return { html: false };
  if (/^</.test(raw) || /<(html|body|head)[\s>]/i.test(raw)) return { html: true };
  let text = raw;
  try {
    const parsed = JSON.parse(raw) as { error?: unknown };
    if (parsed && typeof parsed === 'object' && typeof parsed.error === 'string') {
      text = parsed.error;
    }
  } catch {
    // a plain-text answer
  }
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  text = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  text = maskUuids(maskSecrets(text, secrets));
  if ([...text].length > max) text = `${[...text].slice(0, max - 1).join('')}…`;
  return text === '' ? { html: false } : { quoted: text, html: false };
}
