import type { ProgramSpec } from '@berth/internal';
import pkg from '../../package.json' with { type: 'json' };
import { historyCommand } from './history-command.ts';
import { rollbackCommand } from './rollback-command.ts';
import { watchCommand } from './watch-command.ts';

/** The `ecs-rollback` CLI: `rollback` (the default), `history` and `watch`. */
export const program: ProgramSpec = {
  name: 'ecs-rollback',
  version: pkg.version,
  summary: 'roll an ECS service back to the last good version, and catch failing deployments fast',
  commands: [rollbackCommand, historyCommand, watchCommand],
  defaultCommand: 'rollback',
};
