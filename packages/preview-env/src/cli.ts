#!/usr/bin/env node
import { main } from '@berth/internal';
import { program } from './cli/program.ts';

main(program);
