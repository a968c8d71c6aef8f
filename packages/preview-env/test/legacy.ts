/**
 * The function API of the first release (times as ISO strings, three booleans next to
 * `outcome`), kept for the older tests: each function is one call of a `PreviewEnv`.
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AwsClientOptions, Clock } from '@berth/internal';
import type { PreviewEnvClients } from '../src/clients.ts';
import type { PreviewEnvConfig, PreviewEnvConfigInput } from '../src/config.ts';
import { loadConfig, resolveConfig } from '../src/config.ts';
import type { CreateOptions, CreateResult } from '../src/create/run.ts';
import type { DeleteResult } from '../src/delete.ts';
import type { EnvironmentSummary } from '../src/list.ts';
import { createPreviewEnv } from '../src/preview-env.ts';
import type { ProgressLogger } from '../src/steps.ts';
import type { SweepEntry, SweepOptions, SweepResult } from '../src/sweep.ts';

/** Options every function of the first API accepts. */
export interface OperationOptions {
  config?: PreviewEnvConfig | PreviewEnvConfigInput;
  overrides?: PreviewEnvConfigInput;
  clients?: PreviewEnvClients;
  aws?: AwsClientOptions;
  clock?: Clock;
  logger?: ProgressLogger;
}

/** @deprecated use `createPreviewEnv(...).create` */
export interface CreateEnvironmentOptions extends OperationOptions, CreateOptions {
  secretsManager?: SecretsManagerClient;
}

/** @deprecated use `createPreviewEnv(...).create` (its result has `outcome` and `Date`s) */
export interface CreateEnvironmentResult
  extends Omit<CreateResult, 'createdAt' | 'deployedAt' | 'outcome'> {
  created: boolean;
  updated: boolean;
  unchanged: boolean;
  outcome: CreateResult['outcome'];
  createdAt: string;
  deployedAt: string;
}

/** @deprecated */
export type DeleteEnvironmentOptions = OperationOptions;
/** @deprecated */
export type DeleteEnvironmentResult = DeleteResult;
/** @deprecated */
export type ListEnvironmentsOptions = OperationOptions;
/** @deprecated */
export interface ListedEnvironment extends Omit<EnvironmentSummary, 'createdAt' | 'deployedAt'> {
  createdAt?: string;
  deployedAt?: string;
}

function configOf(options: Pick<OperationOptions, 'config' | 'overrides'>): PreviewEnvConfig {
  if (options.config) return resolveConfig(options.config, options.overrides);
  return loadConfig(options.overrides ? { overrides: options.overrides } : {});
}

function instance(options: OperationOptions & { secretsManager?: SecretsManagerClient }) {
  return createPreviewEnv({
    config: configOf(options),
    clients: {
      ...options.clients,
      ...(options.secretsManager ? { secretsManager: options.secretsManager } : {}),
    },
    ...(options.aws ? { aws: options.aws } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

const iso = (d: Date | undefined) => d?.toISOString();

/** @deprecated use `createPreviewEnv(...).create` */
export async function createEnvironment(
  name: string,
  options: CreateEnvironmentOptions,
): Promise<CreateEnvironmentResult> {
  const r = await instance(options).create(name, options);
  return {
    ...r,
    created: r.outcome === 'created',
    updated: r.outcome === 'updated',
    unchanged: r.outcome === 'unchanged',
    createdAt: r.createdAt.toISOString(),
    deployedAt: r.deployedAt.toISOString(),
  };
}

/** @deprecated use `createPreviewEnv(...).delete` */
export function deleteEnvironment(
  name: string,
  options: DeleteEnvironmentOptions = {},
): Promise<DeleteEnvironmentResult> {
  return instance(options).delete(name);
}

/** @deprecated use `createPreviewEnv(...).list` */
export async function listEnvironments(
  options: ListEnvironmentsOptions = {},
): Promise<ListedEnvironment[]> {
  return (await instance(options).list()).map(({ createdAt, deployedAt, ...e }) => ({
    ...e,
    ...(createdAt ? { createdAt: iso(createdAt) as string } : {}),
    ...(deployedAt ? { deployedAt: iso(deployedAt) as string } : {}),
  }));
}

/** @deprecated use `createPreviewEnv(...).sweep` */
export async function sweepEnvironments(options: OperationOptions & SweepOptions = {}): Promise<
  Omit<SweepResult, 'now' | 'swept' | 'kept'> & {
    now: string;
    swept: (Omit<SweepEntry, 'createdAt' | 'deployedAt'> & {
      createdAt?: string;
      deployedAt?: string;
    })[];
    kept: (Omit<SweepEntry, 'createdAt' | 'deployedAt'> & {
      createdAt?: string;
      deployedAt?: string;
    })[];
  }
> {
  const r = await instance(options).sweep(options);
  const entry = ({ createdAt, deployedAt, ...e }: SweepEntry) => ({
    ...e,
    ...(createdAt ? { createdAt: createdAt.toISOString() } : {}),
    ...(deployedAt ? { deployedAt: deployedAt.toISOString() } : {}),
  });
  return {
    ...r,
    now: r.now.toISOString(),
    swept: r.swept.map(entry),
    kept: r.kept.map(entry),
  };
}
