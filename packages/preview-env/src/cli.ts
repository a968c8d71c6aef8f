#!/usr/bin/env node
import { main } from '@berth/internal';
import { program } from './program.ts';

main(program);
