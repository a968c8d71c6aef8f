import type { RegisterTaskDefinitionCommandInput, TaskDefinition } from '@aws-sdk/client-ecs';

// What RegisterTaskDefinition accepts of a described task definition besides the family,
// the containers and the tags: the description also carries read-only fields (ARN, revision,
// status, requiresAttributes, registeredAt, ...) that registration rejects.
const REGISTER_FIELDS = [
  'taskRoleArn',
  'executionRoleArn',
  'networkMode',
  'volumes',
  'placementConstraints',
  'requiresCompatibilities',
  'cpu',
  'memory',
  'pidMode',
  'ipcMode',
  'proxyConfiguration',
  'inferenceAccelerators',
  'ephemeralStorage',
  'runtimePlatform',
  'enableFaultInjection',
] as const satisfies readonly (keyof RegisterTaskDefinitionCommandInput & keyof TaskDefinition)[];

/**
 * The settings of a described task definition that a RegisterTaskDefinition of a copy must
 * carry over (roles, sizes, network mode, volumes, platform, ...); unset values and empty
 * lists are left out. Family, containers and tags are the caller's.
 */
export function taskDefinitionSettings(
  taskDefinition: TaskDefinition,
): Partial<RegisterTaskDefinitionCommandInput> {
  const settings: Record<string, unknown> = {};
  for (const key of REGISTER_FIELDS) {
    const value = taskDefinition[key];
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    settings[key] = value;
  }
  return settings as Partial<RegisterTaskDefinitionCommandInput>;
}
