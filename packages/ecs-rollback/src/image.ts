/** An image reference split into its parts. */
export interface ImageReference {
  /** Everything before the tag and digest, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com/app`. */
  repository: string;
  tag?: string;
  /** `sha256:...` when the reference pins one. */
  digest?: string;
}

/** Docker's tag grammar: up to 128 of `[A-Za-z0-9_.-]`, not starting with `.` or `-`. */
export const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** A content digest as ECR and Docker print it. */
export const DIGEST_PATTERN = /^sha256:[a-f0-9]{64}$/;

/**
 * Splits `registry:port/path/name:tag@sha256:...` into repository, tag and digest. The tag is
 * the part after the last `:` of the last path segment, so a registry port is never taken
 * for a tag.
 */
export function parseImage(image: string): ImageReference {
  let rest = image.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return {
    repository: rest,
    ...(tag ? { tag } : {}),
    ...(digest ? { digest } : {}),
  };
}

/** The same repository with `tag` (and no digest), or pinned to `digest`. */
export function withTagOrDigest(image: string, ref: { tag?: string; digest?: string }): string {
  const { repository } = parseImage(image);
  if (ref.digest) return `${repository}@${ref.digest}`;
  return `${repository}:${ref.tag ?? 'latest'}`;
}

/** Docker's implicit tag: `repo` means `repo:latest` when no digest pins it. */
export function effectiveTag(ref: ImageReference): string | undefined {
  return ref.tag ?? (ref.digest ? undefined : 'latest');
}
