import type { Options } from 'tsup';

/**
 * The one tsup configuration every action under actions/ builds with: each entry becomes one
 * self-contained `dist/<entry>.mjs` with every dependency inside, so the action runs from its
 * own folder with nothing installed, on Node 20 or newer. `require` is provided for bundled
 * CommonJS code.
 */
export function berthActionTsup(
  options: { entries?: Record<string, string>; extra?: Options } = {},
): Options {
  return {
    entry: options.entries ?? { index: 'src/index.ts' },
    format: ['esm'],
    outExtension: () => ({ js: '.mjs' }),
    // Composite actions run the bundle on the job's own Node when it is 20 or newer.
    target: 'node20',
    platform: 'node',
    bundle: true,
    noExternal: [/.*/],
    splitting: false,
    clean: true,
    dts: false,
    sourcemap: false,
    treeshake: true,
    minify: true,
    banner: {
      js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);",
    },
    ...options.extra,
  };
}
