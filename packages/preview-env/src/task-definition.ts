import { createHash } from 'node:crypto';
import type {
  ContainerDefinition,
  KeyValuePair,
  RegisterTaskDefinitionCommandInput,
  Secret,
  TaskDefinition,
} from '@aws-sdk/client-ecs';
import { taskDefinitionSettings } from '@berth/internal';
import { PreviewEnvError } from './errors.ts';

/** What an environment changes in the reference task definition. */
export interface TaskDefinitionChanges {
  family: string;
  container: string;
  image: string;
  /** Variables set in the container (override the reference's of the same name). */
  env: Record<string, string>;
  /** `secrets` entries to add (override variables and secrets of the same name). */
  secrets: readonly Secret[];
}

/**
 * The RegisterTaskDefinition input of an environment: the reference task definition with the
 * environment's family, the container's image replaced, variables merged and secrets added.
 * Everything else (roles, sizes, network mode, other containers, logging) is kept as is.
 */
export function taskDefinitionInput(
  reference: TaskDefinition,
  changes: TaskDefinitionChanges,
): RegisterTaskDefinitionCommandInput {
  const containers = reference.containerDefinitions ?? [];
  if (!containers.some((c) => c.name === changes.container)) {
    throw new PreviewEnvError(
      'E_REFERENCE',
      `the reference task definition ${reference.taskDefinitionArn} has no container "${changes.container}" (it has ${containers.map((c) => c.name).join(', ')}); set "container" to one of them`,
    );
  }
  const secretNames = new Set(changes.secrets.map((s) => s.name));
  const containerDefinitions = containers.map((c): ContainerDefinition => {
    if (c.name !== changes.container) return c;
    const environment: KeyValuePair[] = [];
    const seen = new Set<string>();
    for (const kv of c.environment ?? []) {
      if (!kv.name || secretNames.has(kv.name)) continue;
      const value = kv.name in changes.env ? changes.env[kv.name] : kv.value;
      environment.push({ name: kv.name, value: value ?? '' });
      seen.add(kv.name);
    }
    for (const [name, value] of Object.entries(changes.env)) {
      if (!seen.has(name) && !secretNames.has(name)) environment.push({ name, value });
    }
    const secrets = [
      ...(c.secrets ?? []).filter(
        (s) => !secretNames.has(s.name ?? '') && !((s.name ?? '') in changes.env),
      ),
      ...changes.secrets,
    ];
    return {
      ...c,
      image: changes.image,
      environment,
      ...(secrets.length ? { secrets } : {}),
    };
  });
  const input: RegisterTaskDefinitionCommandInput = {
    family: changes.family,
    containerDefinitions,
  };
  Object.assign(input, taskDefinitionSettings(reference));
  return input;
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  }
  return value;
}

/** A short hash of a task definition input: equal inputs, equal hashes. */
export function specHash(input: RegisterTaskDefinitionCommandInput): string {
  const { tags: _tags, ...rest } = input;
  return createHash('sha256')
    .update(JSON.stringify(canonical(rest)))
    .digest('hex')
    .slice(0, 16);
}

/** The image of `container` in a task definition. */
export function containerImage(
  taskDefinition: TaskDefinition,
  container: string,
): string | undefined {
  return taskDefinition.containerDefinitions?.find((c) => c.name === container)?.image;
}
