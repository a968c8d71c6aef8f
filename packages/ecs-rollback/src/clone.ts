import type { RegisterTaskDefinitionCommandInput, Tag, TaskDefinition } from '@aws-sdk/client-ecs';
import { taskDefinitionSettings } from '@berth/internal';

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
  Object.assign(input, taskDefinitionSettings(td));
  // aws: tags are reserved and rejected by RegisterTaskDefinition.
  const userTags = tags.filter((t) => !t.key?.startsWith('aws:'));
  if (userTags.length) input.tags = userTags;
  return input;
}
