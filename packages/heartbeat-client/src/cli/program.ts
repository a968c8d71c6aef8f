import type { ProgramSpec } from '@berth/internal';
import { VERSION } from '../version.ts';
import { deregisterCommand } from './deregister-command.ts';
import { lsCommand } from './ls-command.ts';
import { pingCommand } from './ping-command.ts';
import { registerCommand } from './register-command.ts';
import { runCommand } from './run-command.ts';
import { syncCommand } from './sync-command.ts';

/** The `heartbeat` CLI. */
export const program: ProgramSpec = {
  name: 'heartbeat',
  version: VERSION,
  summary: 'prove that batch jobs ran, with Healthchecks (healthchecks.io or self-hosted)',
  commands: [runCommand, pingCommand, registerCommand, deregisterCommand, lsCommand, syncCommand],
};
