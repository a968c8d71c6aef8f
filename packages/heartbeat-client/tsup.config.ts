import { defineConfig } from 'tsup';
import { berthTsup } from '../../tsup.base.ts';

export default defineConfig(berthTsup());
