import type { Options } from 'tsup';

/**
 * The one tsup configuration every published Berth package builds with: ESM only, Node 22
 * target, `.d.ts` for the library entry, and the private `@berth/internal` bundled in (a
 * published package must not depend on an unpublished one at run time).
 */
export function berthTsup(options: { cli?: boolean; extra?: Options } = {}): Options {
  return {
    entry: { index: 'src/index.ts', ...(options.cli === false ? {} : { cli: 'src/cli.ts' }) },
    format: ['esm'],
    target: 'node22',
    platform: 'node',
    dts: {
      entry: { index: 'src/index.ts' },
      resolve: [/^@berth\/internal/],
      // The d.ts bundler must see internal's sources to inline the types they export.
      compilerOptions: { paths: { '@berth/internal': ['../internal/src/index.ts'] } },
    },
    clean: true,
    splitting: true,
    treeshake: true,
    sourcemap: false,
    noExternal: [/^@berth\/internal/],
    ...options.extra,
  };
}
