import type { ProgramSpec } from '@berth/internal';
import pkg from '../../package.json' with { type: 'json' };
import { generateCommand } from './generate-command.ts';
import { parseCommand } from './parse-command.ts';

/** The `semver-timestamp` CLI: `generate` (the default command) and `parse`. */
export const program: ProgramSpec = {
  name: 'semver-timestamp',
  version: pkg.version,
  summary: 'versions from a timestamp: valid SemVer in time order, and Docker tags',
  commands: [generateCommand, parseCommand],
  defaultCommand: 'generate',
};
