export { awsEnvFor, clientConfigFromEnv, TEST_REGION } from './aws-env.ts';
export type {
  ArrivingCall,
  AwsProxy,
  AwsProxyOptions,
  ConnectionFault,
  FaultRule,
  InjectedAwsError,
  ProxiedCall,
  ProxyStats,
} from './aws-proxy.ts';
export { randomAccountId, startAwsProxy } from './aws-proxy.ts';
export type { ExpressionContext } from './expressions.ts';
export { evaluateCondition, evaluateExpression, interpolate } from './expressions.ts';
export type { FakeClock, FakeClockOptions } from './fake-clock.ts';
export { FAKE_CLOCK_START, fakeClock } from './fake-clock.ts';
export {
  FIXTURE_CONCURRENCY,
  FIXTURE_MAX_ATTEMPTS,
  fixtureClient,
  fixtureConfig,
} from './fixture-clients.ts';
export { freePort } from './free-port.ts';
export type {
  FakeComment,
  FakeDeployment,
  FakeDeploymentStatus,
  FakeGitHub,
  FakeGitHubFault,
  FakeGitHubOptions,
  FakeGitHubUser,
  FakePull,
  FakeReaction,
} from './github-server.ts';
export { startGitHubServer } from './github-server.ts';
export type {
  FakeChannel,
  FakeCheck,
  FakePing,
  HealthchecksFault,
  HealthchecksServer,
  HealthchecksServerOptions,
} from './healthchecks-server.ts';
export { startHealthchecksServer } from './healthchecks-server.ts';
export type { RecordedRequest, TestHttpHandler, TestHttpServer } from './http-server.ts';
export { startHttpServer } from './http-server.ts';
export type {
  AccountInventory,
  InventoryIngressRule,
  InventoryRule,
  InventoryScope,
} from './inventory.ts';
export { listAccountResources, listIngressRules } from './inventory.ts';
export type { MotoServer, StartMotoOptions } from './moto.ts';
export { resetMoto, startMoto } from './moto.ts';
export type {
  ActionMetadata,
  ActionRun,
  ActionStep,
  RunActionOptions,
  StepRecord,
} from './run-action.ts';
export { parseCommandFile, readActionMetadata, runAction } from './run-action.ts';
export type { ProcessRun, RunProcessOptions } from './run-process.ts';
export { runProcess } from './run-process.ts';
export type { SeedClientConfig, SeededAccount, SeedOptions } from './seed.ts';
export { SEED_SECRET_VALUE, seedAccount } from './seed.ts';
export type { AwsTestContext, UseAwsOptions } from './use-aws.ts';
export { useAws } from './use-aws.ts';
