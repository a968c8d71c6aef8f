import { defineConfig } from 'tsup';
import { berthActionTsup } from '../../tsup.action.ts';

export default defineConfig(berthActionTsup());
