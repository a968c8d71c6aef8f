#!/usr/bin/env node
import { main } from '@berth/internal';
import pkg from '../package.json' with { type: 'json' };
import { historyCommand } from './cli/history-command.ts';
import { rollbackCommand } from './cli/rollback-command.ts';
import { watchCommand } from './cli/watch-command.ts';

main({
  name: 'ecs-rollback',
  version: pkg.version,
  summary: 'roll an ECS service back to the last good version, and catch failing deployments fast',
  commands: [rollbackCommand, historyCommand, watchCommand],
  defaultCommand: 'rollback',
});
