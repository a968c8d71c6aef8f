import { defineConfig } from 'tsup';
import { berthActionTsup } from '../../tsup.action.ts';

export default defineConfig(
  berthActionTsup({ entries: { index: 'src/index.ts', post: 'src/post-index.ts' } }),
);
