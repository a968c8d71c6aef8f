import { defineConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Shared vitest settings. `aws: true` starts one moto emulator per test run (the test kit's
 * global setup); each test file then gets its own emulator account through `useAws()`.
 */
export function berthVitest(options: { aws?: boolean } = {}): ViteUserConfig {
  return defineConfig({
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      globalSetup: options.aws ? ['@berth/testkit/global-setup'] : [],
      testTimeout: options.aws ? 60_000 : 20_000,
      hookTimeout: 60_000,
      pool: 'forks',
      restoreMocks: true,
    },
  });
}
