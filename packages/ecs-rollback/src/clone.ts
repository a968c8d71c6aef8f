import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';

// Only what RegisterTaskDefinition accepts: a described task definition also carries
// read-only fields (ARN, revision, status, requiresAttributes, registeredAt, ...).
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
 * The RegisterTaskDefinition input that registers a copy of `td` (same family, settings and
 * tags) with the images of the containers named in `imageOverrides` replaced.
 */
export function cloneTaskDefinition(
  td: TaskDefinition,
  tags: Tag[],
  imageOverrides: Record<string, string> = {},
): RegisterTaskDefinitionCommandInput {
  const input: RegisterTaskDefinitionCommandInput = {
    family: td.family,
    containerDefinitions: (td.containerDefinitions ?? []).map((c) =>
      c.name !== undefined && imageOverrides[c.name] !== undefined
        ? { ...c, image: imageOverrides[c.name] }
        : { ...c },
    ),
  };
  const writable = input as unknown as Record<string, unknown>;
  for (const key of REGISTER_FIELDS) {
    const value = td[key];
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) writable[key] = value;
  }
  // aws: tags are reserved and rejected by RegisterTaskDefinition.
  const userTags = tags.filter((t) => !t.key?.startsWith('aws:'));
  if (userTags.length) input.tags = userTags;
  return input;
}
