import { berthVitest } from '../../vitest.shared.ts';

// aws: the actions run against the emulator on the job's own Node (test/action-node.test.ts).
export default berthVitest({ aws: true });
