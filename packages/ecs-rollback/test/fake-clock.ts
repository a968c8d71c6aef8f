// The test kit's one fake clock; kept as a module path for the benchmark and older imports.
export { type FakeClock, fakeClock } from '@berth/testkit';
