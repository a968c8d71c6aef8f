import type { TestProject } from 'vitest/node';
import { startMoto } from './moto.ts';

import './provided-context.ts';

/** vitest global setup: one moto server for the whole run, its endpoint provided to tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto();
  project.provide('motoEndpoint', moto.endpoint);
  return () => moto.stop();
}
