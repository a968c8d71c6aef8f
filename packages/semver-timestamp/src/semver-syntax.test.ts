import fc from 'fast-check';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { compareSemver, isBuildMetadata, isPrerelease, parseSemver } from './semver-syntax.ts';

// Versions built from pieces that are sometimes invalid (leading zeros, empty identifiers,
// stray characters), so both acceptance and rejection are compared with node-semver.
const numberArb = fc.oneof(fc.nat({ max: 30 }).map(String), fc.constantFrom('00', '01', '007'));
const idArb = fc.oneof(
  fc.stringMatching(/^[0-9A-Za-z-]{1,4}$/),
  fc.constantFrom('0', '00', '01', '1', '10', 'alpha', 'beta', 'rc', '', 'a_b'),
);
const idsArb = fc.array(idArb, { minLength: 1, maxLength: 3 }).map((ids) => ids.join('.'));
const versionArb = fc
  .tuple(numberArb, numberArb, numberArb, fc.option(idsArb), fc.option(idsArb))
  .map(
    ([major, minor, patch, pre, build]) =>
      `${major}.${minor}.${patch}${pre === null ? '' : `-${pre}`}${build === null ? '' : `+${build}`}`,
  );

describe('SemVer syntax and precedence, held to node-semver', () => {
  it('accepts exactly the versions node-semver accepts', () => {
    fc.assert(
      fc.property(versionArb, (version) => {
        expect(parseSemver(version) !== undefined).toBe(semver.valid(version) !== null);
      }),
      { numRuns: 5000 },
    );
  });

  it('orders versions as semver.compare does, ignoring build metadata', () => {
    const validArb = versionArb.filter((v) => semver.valid(v) !== null);
    fc.assert(
      fc.property(validArb, validArb, (a, b) => {
        expect(compareSemver(parseSemver(a)!, parseSemver(b)!)).toBe(semver.compare(a, b));
      }),
      { numRuns: 5000 },
    );
  });

  it('compares numbers of any length exactly', () => {
    const a = parseSemver('9007199254740993.0.0')!;
    const b = parseSemver('9007199254740992.0.0')!;
    expect(compareSemver(a, b)).toBe(1);
    expect(compareSemver(parseSemver('1.0.0-rc.10')!, parseSemver('1.0.0-rc.9')!)).toBe(1);
  });

  it('follows the precedence example of SemVer 2.0.0 section 11', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(compareSemver(parseSemver(ordered[i - 1]!)!, parseSemver(ordered[i]!)!)).toBe(-1);
    }
  });

  it('validates prerelease and build identifiers on their own', () => {
    expect(isPrerelease('rc.1')).toBe(true);
    expect(isPrerelease('pr-42.0')).toBe(true);
    expect(isPrerelease('01')).toBe(false);
    expect(isPrerelease('rc..1')).toBe(false);
    expect(isBuildMetadata('sha.0051f85')).toBe(true);
    expect(isBuildMetadata('sha+1')).toBe(false);
    expect(isBuildMetadata('')).toBe(false);
  });
});
