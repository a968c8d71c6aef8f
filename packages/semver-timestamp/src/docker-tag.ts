import { quoteInput } from '@berth/internal';
import { SemverTimestampError } from './errors.ts';
import { parseSemver } from './semver-syntax.ts';

/** Longest image tag a registry accepts. */
export const DOCKER_TAG_MAX_LENGTH = 128;

/**
 * The Docker image tag form of a SemVer version: the same text with the `+` before build
 * metadata written `_` (as Helm does for OCI tags), since tags allow only `[A-Za-z0-9_.-]`.
 * SemVer never uses `_`, so the tag maps back to exactly one version.
 *
 * @throws SemverTimestampError `E_NOT_TIMESTAMP_VERSION` when `version` is not SemVer,
 * `E_DOCKER_TAG_TOO_LONG` when the tag would exceed 128 characters.
 * @example
 * ```ts
 * toDockerTag('2026.1122.143000-rc.1+sha.5114f85'); // '2026.1122.143000-rc.1_sha.5114f85'
 * ```
 */
export function toDockerTag(version: string): string {
  const text = version.startsWith('v') ? version.slice(1) : version;
  if (!parseSemver(text)) {
    throw new SemverTimestampError(
      'E_NOT_TIMESTAMP_VERSION',
      `${quoteInput(version)} is not a SemVer version, so it has no Docker tag form`,
    );
  }
  const tag = text.replace('+', '_');
  if (tag.length > DOCKER_TAG_MAX_LENGTH) {
    throw new SemverTimestampError(
      'E_DOCKER_TAG_TOO_LONG',
      `version ${quoteInput(version)} is ${tag.length} characters, longer than the ${DOCKER_TAG_MAX_LENGTH} an image tag allows; shorten the prerelease or build metadata`,
    );
  }
  return tag;
}

/** Reads a version given in either form (a Docker tag has `_` where SemVer has `+`). */
export function fromDockerTag(text: string): string {
  return text.includes('_') && !text.includes('+') ? text.replace('_', '+') : text;
}
