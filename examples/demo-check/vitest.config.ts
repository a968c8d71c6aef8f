import { defineConfig, mergeConfig } from 'vitest/config';
import { berthVitest } from '../../vitest.shared.ts';

// One test that runs the whole demo (which starts its own emulator): generous limits, since
// a loaded 2-core machine may take several times the demo's usual half minute.
export default mergeConfig(
  berthVitest(),
  defineConfig({ test: { testTimeout: 300_000, hookTimeout: 120_000 } }),
);
