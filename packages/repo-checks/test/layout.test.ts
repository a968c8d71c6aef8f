// The house layout of issue 14, held: every published package has src/index.ts, a thin
// src/cli.ts, src/cli/program.ts, src/cli/<command>-command.ts, one src/errors.ts, reads
// "now" only through a Clock, and its row of the differences table has the house
// values. Packages still migrating are listed, rule by rule, in src/layout-exceptions.ts
// (which must end empty).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clockReads,
  differencesRow,
  differencesTable,
  HOUSE_ROW,
  LAYOUT_RULES,
  layoutProblems,
  publishedPackages,
} from '../src/layout.ts';
import { LAYOUT_EXCEPTIONS } from '../src/layout-exceptions.ts';
import { REPO_ROOT } from '../src/repo.ts';

const packages = publishedPackages();

describe('the published packages', () => {
  it('are the ones this check knows', () => {
    expect(packages.map((p) => p.name)).toEqual(
      expect.arrayContaining(['preview-env', 'semver-timestamp', 'ecs-rollback']),
    );
    for (const name of Object.keys(LAYOUT_EXCEPTIONS)) {
      expect(
        packages.map((p) => p.name),
        `layout exception for unknown ${name}`,
      ).toContain(name);
    }
  });
});

describe.each(packages.map((p) => [p.name, p] as const))('package %s', (name, pkg) => {
  const problems = layoutProblems(pkg);
  const excepted = new Set(LAYOUT_EXCEPTIONS[name] ?? []);
  it.each(LAYOUT_RULES.map((rule) => [rule]))('keeps the layout rule %s', (rule) => {
    if (excepted.has(rule)) {
      expect(
        problems[rule],
        `${name} keeps "${rule}" now: remove it from packages/repo-checks/src/layout-exceptions.ts`,
      ).toBeDefined();
    } else {
      expect(problems[rule] ?? '').toBe('');
    }
  });
});

describe('internal', () => {
  it('reads the wall clock only in its clock (clock.ts)', () => {
    expect(clockReads(join(REPO_ROOT, 'packages/internal'), ['clock.ts'])).toEqual([]);
  });
});

describe('the issue-14 differences table, regenerated from the code', () => {
  const rows = packages.map((p) => ({ name: p.name, row: differencesRow(p) }));

  it('has one value per column (packages still migrating aside)', () => {
    // Printed so a reviewer sees the whole table, migrating packages included.
    console.log(differencesTable(rows));
    const settled = rows.filter((r) => !LAYOUT_EXCEPTIONS[r.name]?.includes('table'));
    for (const column of Object.keys(HOUSE_ROW) as (keyof typeof HOUSE_ROW)[]) {
      // `–` marks a column that does not apply (no AWS client in the package).
      const values = new Set(settled.map((r) => r.row[column]).filter((v) => v !== '–'));
      expect([...values], column).toHaveLength(values.size === 0 ? 0 : 1);
      for (const v of values) expect(HOUSE_ROW[column], column).toContain(v);
    }
  });
});
