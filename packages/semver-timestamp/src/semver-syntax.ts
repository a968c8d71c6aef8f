// SemVer 2.0.0 syntax and precedence (semver.org sections 2, 9, 10, 11), small enough to
// carry instead of a runtime dependency. Tests hold it to node-semver, the reference.

const NUMERIC = '0|[1-9]\\d*';
const PRERELEASE_ID = `(?:${NUMERIC}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const BUILD_ID = '[0-9A-Za-z-]+';
const PRERELEASE = `${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*`;
const BUILD = `${BUILD_ID}(?:\\.${BUILD_ID})*`;

// A leading `v` is accepted as node-semver accepts it: git tags are often spelled `v1.2.3`.
const VERSION_RE = new RegExp(
  `^v?(${NUMERIC})\\.(${NUMERIC})\\.(${NUMERIC})(?:-(${PRERELEASE}))?(?:\\+(${BUILD}))?$`,
);
const PRERELEASE_RE = new RegExp(`^${PRERELEASE}$`);
const BUILD_RE = new RegExp(`^${BUILD}$`);
const DIGITS = /^\d+$/;

/** A version split into its parts; numbers stay strings so any length compares exactly. */
export interface SemverParts {
  major: string;
  minor: string;
  patch: string;
  /** Prerelease identifiers, empty for a release. */
  prerelease: string[];
  /** Build metadata identifiers (ignored by precedence). */
  build: string[];
}

/** Splits a SemVer 2.0.0 version, or returns undefined when `text` is not one. */
export function parseSemver(text: string): SemverParts | undefined {
  const m = VERSION_RE.exec(text);
  if (!m) return undefined;
  return {
    major: m[1] as string,
    minor: m[2] as string,
    patch: m[3] as string,
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
    build: m[5] === undefined ? [] : m[5].split('.'),
  };
}

/** Whether `text` is a dot-separated list of SemVer prerelease identifiers. */
export function isPrerelease(text: string): boolean {
  return PRERELEASE_RE.test(text);
}

/** Whether `text` is a dot-separated list of SemVer build metadata identifiers. */
export function isBuildMetadata(text: string): boolean {
  return BUILD_RE.test(text);
}

function compareNumeric(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const aNum = DIGITS.test(a);
  const bNum = DIGITS.test(b);
  if (aNum && bNum) return compareNumeric(a, b);
  if (aNum !== bNum) return aNum ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** SemVer precedence of two parsed versions: -1, 0 or 1 (build metadata ignored). */
export function compareSemver(a: SemverParts, b: SemverParts): -1 | 0 | 1 {
  const core =
    compareNumeric(a.major, b.major) ||
    compareNumeric(a.minor, b.minor) ||
    compareNumeric(a.patch, b.patch);
  if (core !== 0) return Math.sign(core) as -1 | 1;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length === 0 || bp.length === 0) {
    return ap.length === bp.length ? 0 : ap.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(ap.length, bp.length); i++) {
    const c = compareIdentifiers(ap[i] as string, bp[i] as string);
    if (c !== 0) return Math.sign(c) as -1 | 1;
  }
  return ap.length === bp.length ? 0 : ap.length < bp.length ? -1 : 1;
}
