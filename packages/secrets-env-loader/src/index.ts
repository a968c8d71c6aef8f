export type { ClientOptions } from './client.ts';
export { toDotenv, writeDotenvFile } from './dotenv.ts';
export type { EcsSecret, ToEcsSecretsOptions } from './ecs-secrets.ts';
export { toEcsSecrets } from './ecs-secrets.ts';
export type { SecretFailure, SecretsEnvErrorCode, SecretsEnvErrorOptions } from './errors.ts';
export { SecretsEnvError } from './errors.ts';
export type { LoadEcsSecretsOptions } from './load-ecs-secrets.ts';
export { loadEcsSecrets } from './load-ecs-secrets.ts';
export type {
  LoadedSecrets,
  LoadSecretsOptions,
  SecretRequest,
  VariableSource,
} from './load-secrets.ts';
export { loadSecrets } from './load-secrets.ts';
export type { MergedEnv, MergeEnvOptions } from './merge-env.ts';
export { mergeEnv } from './merge-env.ts';
export type { NameTransform } from './names.ts';
export { isValidVariableName } from './names.ts';
export type { ReadSecretKeysOptions, SecretKeys } from './read-secret-keys.ts';
export { readSecretKeys } from './read-secret-keys.ts';
export { parseSecretSpec } from './secret-spec.ts';
export type { MergeSecretsResult } from './task-definition.ts';
export { mergeContainerSecrets } from './task-definition.ts';
