import { berthVitest } from '../../vitest.shared.ts';

export default berthVitest({ aws: true });
