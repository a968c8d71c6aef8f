import type { ProgramSpec } from '@berth/internal';
import pkg from '../../package.json' with { type: 'json' };
import { createCommand } from './create-command.ts';
import { deleteCommand } from './delete-command.ts';
import { lsCommand } from './ls-command.ts';
import { sleepCommand } from './sleep-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { wakeCommand } from './wake-command.ts';

/** The `preview-env` CLI. */
export const program: ProgramSpec = {
  name: 'preview-env',
  version: pkg.version,
  summary: 'per-pull-request environments on ECS behind one shared load balancer',
  commands: [createCommand, deleteCommand, lsCommand, sweepCommand, sleepCommand, wakeCommand],
};
