import type { ProgramSpec } from '@berth/internal';
import pkg from '../../package.json' with { type: 'json' };
import { closeCommand } from './close-command.ts';
import { execCommand } from './exec-command.ts';
import { openCommand } from './open-command.ts';
import { sweepCommand } from './sweep-command.ts';
import { whoamiCommand } from './whoami-command.ts';

/** The `sg-ip-window` program. */
export const program: ProgramSpec = {
  name: 'sg-ip-window',
  version: pkg.version,
  summary: 'open a security group for this machine only, only while needed',
  commands: [execCommand, openCommand, closeCommand, sweepCommand, whoamiCommand],
};
