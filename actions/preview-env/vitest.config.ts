// Brings in the test kit's `inject('motoEndpoint')` typing for `tsc` (useAws reads it).
import { berthVitest } from '../../vitest.shared.ts';

export default berthVitest({ aws: true });
