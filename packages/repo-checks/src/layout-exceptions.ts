import type { LayoutRule } from './layout.ts';

/**
 * Packages not yet on the house layout of issue 14, and the rules each still breaks.
 *
 * THIS LIST MUST END EMPTY. It exists only so `test/layout.test.ts` holds the layout for
 * every package that already conforms while the others migrate. When your package keeps a
 * rule, delete that rule here (a small edit; the test fails while an exception is no longer
 * needed, so it cannot go stale); delete the package's entry when its list is empty. Never
 * add an entry: fix the package instead.
 *
 * Rules: see {@link LayoutRule} in `layout.ts` (`index`, `cli-thin`, `program`, `commands`,
 * `errors`, `clock`, `exports`, `table`).
 */
export const LAYOUT_EXCEPTIONS: Readonly<Record<string, readonly LayoutRule[]>> = {};
