import { quoteInput } from '@berth/internal';
import { EcsRollbackError } from './errors.ts';
import { DIGEST_PATTERN, parseImage, TAG_PATTERN } from './image.ts';
import { parseTaskDefinitionId } from './task-definitions.ts';

/** What `to` asked for, parsed. */
export type RollbackTo =
  | { kind: 'previous' }
  | { kind: 'revision'; revision: number }
  | { kind: 'task-definition'; id: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'digest'; digest: string }
  | { kind: 'image'; image: string; repository: string; tag?: string; digest?: string };

/**
 * Parses a rollback target:
 * `previous` (or undefined; an empty string is refused), a revision number (`42`), a task definition ARN or
 * `family:revision`, an image digest (`sha256:...`), a full image reference
 * (`repo/app:v1.2.3`), `tag:<tag>` (for tags that look like numbers), or a bare image tag.
 *
 * @throws EcsRollbackError `E_INPUT` naming the input when it is none of these.
 */
export function parseRollbackTo(to: string | undefined, what = 'to'): RollbackTo {
  if (to === undefined) return { kind: 'previous' };
  const text = to.trim();
  if (text === '') {
    // An empty value is usually an unset variable (--to "$TAG"): never guess "previous".
    throw new EcsRollbackError(
      'E_INPUT',
      `${what} is empty: pass previous, a tag, a digest, a revision or a task definition ARN (an unset variable?)`,
    );
  }
  if (text === 'previous') return { kind: 'previous' };
  if (/^\d+$/.test(text)) {
    const revision = Number(text);
    if (revision < 1 || !Number.isSafeInteger(revision)) throw bad(text, what);
    return { kind: 'revision', revision };
  }
  if (text.startsWith('arn:')) {
    if (!parseTaskDefinitionId(text)) {
      throw new EcsRollbackError(
        'E_INPUT',
        `${what}: ${quoteInput(text)} is not a task definition ARN (arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>)`,
      );
    }
    return { kind: 'task-definition', id: text };
  }
  if (text.startsWith('tag:')) {
    const tag = text.slice(4);
    if (!TAG_PATTERN.test(tag)) throw badTag(tag, what);
    return { kind: 'tag', tag };
  }
  if (text.startsWith('sha256:') || text.startsWith('@sha256:')) {
    const digest = text.replace(/^@/, '');
    if (!DIGEST_PATTERN.test(digest)) {
      throw new EcsRollbackError(
        'E_INPUT',
        `${what}: ${quoteInput(text)} is not an image digest (sha256: followed by 64 lowercase hex digits)`,
      );
    }
    return { kind: 'digest', digest };
  }
  if (parseTaskDefinitionId(text)) return { kind: 'task-definition', id: text };
  if (text.includes('/') || text.includes('@') || text.includes(':')) {
    const ref = parseImage(text);
    if (!ref.tag && !ref.digest) {
      throw new EcsRollbackError(
        'E_INPUT',
        `${what}: image ${quoteInput(text)} has neither a tag nor a digest: add one (${text}:v1.2.3)`,
      );
    }
    if (ref.tag && !TAG_PATTERN.test(ref.tag)) throw badTag(ref.tag, what);
    if (ref.digest && !DIGEST_PATTERN.test(ref.digest)) throw bad(text, what);
    return { kind: 'image', image: text, ...ref };
  }
  if (TAG_PATTERN.test(text)) return { kind: 'tag', tag: text };
  throw bad(text, what);
}

/** How a parsed target reads in messages. */
export function describeRollbackTo(to: RollbackTo): string {
  switch (to.kind) {
    case 'previous':
      return 'the previous version';
    case 'revision':
      return `revision ${to.revision}`;
    case 'task-definition':
      return to.id;
    case 'tag':
      return `tag "${to.tag}"`;
    case 'digest':
      return `digest ${to.digest}`;
    case 'image':
      return `image ${to.image}`;
  }
}

function bad(text: string, what: string): EcsRollbackError {
  return new EcsRollbackError(
    'E_INPUT',
    `${what}: ${quoteInput(text)} is not a rollback target; use previous, a revision number (42), a task definition ARN or family:revision, an image tag (v1.2.3, or tag:1234 for a numeric tag), a digest (sha256:...) or an image (repo/app:v1.2.3)`,
  );
}

function badTag(tag: string, what: string): EcsRollbackError {
  return new EcsRollbackError(
    'E_INPUT',
    `${what}: ${quoteInput(tag)} is not a valid image tag (up to 128 of A-Z a-z 0-9 _ . -, not starting with . or -)`,
  );
}
