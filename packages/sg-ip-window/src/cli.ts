#!/usr/bin/env node
import { main } from '@berth/internal';
import pkg from '../package.json' with { type: 'json' };
import { closeCommand } from './commands/close.ts';
import { execCommand } from './commands/exec.ts';
import { openCommand } from './commands/open.ts';
import { sweepCommand } from './commands/sweep.ts';
import { whoamiCommand } from './commands/whoami.ts';

main({
  name: 'sg-ip-window',
  version: pkg.version,
  summary: 'open a security group for this machine only, only while needed',
  commands: [execCommand, openCommand, closeCommand, sweepCommand, whoamiCommand],
});
