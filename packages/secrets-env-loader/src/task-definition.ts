import { quoteInput } from '@berth/internal';
import type { EcsSecret } from './ecs-secrets.ts';
import { SecretsEnvError } from './errors.ts';

/** A container definition as found in a task definition file (other fields kept as they are). */
interface ContainerDefinition {
  name?: unknown;
  secrets?: unknown;
  environment?: unknown;
  [field: string]: unknown;
}

/** What {@link mergeContainerSecrets} changed. */
export interface MergeSecretsResult {
  /** The whole document with the container's secrets merged (the input is not modified). */
  document: unknown;
  /** Names appended to the container's `secrets`. */
  added: string[];
  /** Names whose existing entry got the new `valueFrom`. */
  replaced: string[];
  /** Names removed from the container's `environment`: ECS rejects a name in both lists. */
  removedFromEnvironment: string[];
}

function taskDefinitionOf(document: unknown): { containerDefinitions?: unknown } | undefined {
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    return undefined;
  const doc = document as { taskDefinition?: unknown; containerDefinitions?: unknown };
  // `aws ecs describe-task-definition` output wraps the definition; register input does not.
  if (
    doc.containerDefinitions === undefined &&
    typeof doc.taskDefinition === 'object' &&
    doc.taskDefinition !== null
  ) {
    return doc.taskDefinition as { containerDefinitions?: unknown };
  }
  return doc;
}

/**
 * Merges an ECS `secrets` list into one container of a task definition document (the
 * `register-task-definition` input, or `describe-task-definition` output): entries with the
 * same name are replaced in place, others kept, new ones appended, and same-name entries of
 * the container's plain `environment` removed (ECS refuses a name in both).
 *
 * @param container Container name; may be left out when the task definition has exactly one.
 * @throws SecretsEnvError `E_TASK_DEFINITION` (exit code 2) when the document has no
 *   container definitions or not the named container.
 */
export function mergeContainerSecrets(
  document: unknown,
  container: string | undefined,
  secrets: readonly EcsSecret[],
): MergeSecretsResult {
  const copy: unknown = structuredClone(document);
  const taskDefinition = taskDefinitionOf(copy);
  const containers = taskDefinition?.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) {
    throw new SecretsEnvError(
      'E_TASK_DEFINITION',
      'the task definition has no containerDefinitions: give a register-task-definition JSON or describe-task-definition output',
      { exitCode: 2 },
    );
  }
  const defs = containers as ContainerDefinition[];
  const names = defs.map((c) => String(c.name));
  let target: ContainerDefinition | undefined;
  if (container === undefined) {
    if (defs.length > 1) {
      throw new SecretsEnvError(
        'E_TASK_DEFINITION',
        `the task definition has ${defs.length} containers (${names.map((n) => quoteInput(n)).join(', ')}): choose one with --container`,
        { exitCode: 2 },
      );
    }
    target = defs[0];
  } else {
    target = defs.find((c) => c.name === container);
    if (!target) {
      throw new SecretsEnvError(
        'E_TASK_DEFINITION',
        `no container ${quoteInput(container)} in the task definition (it has: ${names.map((n) => quoteInput(n)).join(', ')})`,
        { exitCode: 2 },
      );
    }
  }
  const def = target as ContainerDefinition;
  const existing = Array.isArray(def.secrets) ? (def.secrets as { name?: unknown }[]) : [];
  const incoming = new Map(secrets.map((s) => [s.name, s]));
  const replaced: string[] = [];
  const merged: unknown[] = existing.map((entry) => {
    const replacement = typeof entry.name === 'string' ? incoming.get(entry.name) : undefined;
    if (!replacement) return entry;
    replaced.push(replacement.name);
    incoming.delete(replacement.name);
    return { ...entry, name: replacement.name, valueFrom: replacement.valueFrom };
  });
  const added = [...incoming.keys()];
  for (const s of incoming.values()) merged.push({ name: s.name, valueFrom: s.valueFrom });
  def.secrets = merged;

  const removedFromEnvironment: string[] = [];
  if (Array.isArray(def.environment)) {
    const secretNames = new Set(secrets.map((s) => s.name));
    def.environment = (def.environment as { name?: unknown }[]).filter((entry) => {
      const clash = typeof entry.name === 'string' && secretNames.has(entry.name);
      if (clash) removedFromEnvironment.push(entry.name as string);
      return !clash;
    });
  }
  return { document: copy, added, replaced, removedFromEnvironment };
}
