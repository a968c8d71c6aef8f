import { quoteInput } from '@berth/internal';
import { PreviewEnvError } from './errors.ts';

// The reference grammar of the OCI distribution spec / Docker (distribution/reference):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;
const NAME_MAX = 255;

/**
 * Checks an image reference (`registry/repository:tag`, `repository@sha256:...`) against the
 * reference grammar before any AWS call: ECS would accept a malformed one and fail only when
 * pulling it (`...amazonaws.com/app:1:2`).
 *
 * @throws PreviewEnvError `E_INPUT` (exit 2) saying which part is wrong.
 */
export function checkImage(image: unknown): string {
  const bad = (why: string) =>
    new PreviewEnvError(
      'E_INPUT',
      `--image ${quoteInput(String(image ?? ''))} is not an image reference: ${why}; write <registry>/<repository>:<tag> or <repository>@sha256:<digest>`,
    );
  if (typeof image !== 'string' || image === '') throw bad('it is empty');
  if (image.length > 4096 || /\s/.test(image)) throw bad('it has blanks or is far too long');
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest))
      throw bad(`the digest ${quoteInput(digest)} is not <algorithm>:<hex>`);
  }
  // The tag is after the last colon that follows the last slash (a registry port is before it).
  const slash = rest.lastIndexOf('/');
  const colon = rest.indexOf(':', slash + 1);
  let name = rest;
  if (colon >= 0) {
    const tag = rest.slice(colon + 1);
    name = rest.slice(0, colon);
    if (!TAG.test(tag)) {
      throw bad(
        tag.includes(':')
          ? `it has more than one tag (${quoteInput(tag)})`
          : `the tag ${quoteInput(tag)} is not 1-128 of letters, digits, _ . - (not starting with . or -)`,
      );
    }
  }
  if (name.length === 0) throw bad('the repository name is missing');
  if (name.length > NAME_MAX) throw bad(`the name is longer than ${NAME_MAX} characters`);
  const parts = name.split('/');
  const first = parts[0] ?? '';
  const hasDomain =
    parts.length > 1 &&
    (first.includes('.') ||
      first.includes(':') ||
      first === 'localhost' ||
      first !== first.toLowerCase());
  if (hasDomain && !DOMAIN.test(first))
    throw bad(`the registry ${quoteInput(first)} is not a host name`);
  for (const part of hasDomain ? parts.slice(1) : parts) {
    if (!PATH_COMPONENT.test(part)) {
      throw bad(
        `the repository part ${quoteInput(part)} must be lowercase letters and digits, separated by . _ __ or -`,
      );
    }
  }
  return image;
}
