// The AWS SDK's own ECS waiter, for the benchmark to compare with (bench/ has no SDK of its own).
export { waitUntilServicesStable } from '@aws-sdk/client-ecs';
