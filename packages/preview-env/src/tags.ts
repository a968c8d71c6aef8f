import type { EnvironmentNames } from './names.ts';

/** Tag keys of the state every resource of an environment carries. */
export const TAG = {
  prefix: 'preview-env:prefix',
  name: 'preview-env:name',
  pr: 'preview-env:pr',
  createdAt: 'preview-env:created-at',
  deployedAt: 'preview-env:deployed-at',
  image: 'preview-env:image',
  /** Hash of the task definition input: an unchanged re-create is a no-op. */
  spec: 'preview-env:spec',
  /** Random id of the create call that made the resource: rollback removes only its own. */
  createId: 'preview-env:create-id',
  /** On a hook's one-off task: which hook it runs. */
  hook: 'preview-env:hook',
} as const;

/** Tags as a plain map. */
export type TagMap = Record<string, string>;

/** The state tags of an environment at a deploy. */
export function stateTags(
  names: EnvironmentNames,
  prefix: string,
  fields: {
    createdAt: string;
    deployedAt: string;
    image: string;
    spec?: string;
    createId?: string;
  },
): TagMap {
  return {
    [TAG.prefix]: prefix,
    [TAG.name]: names.name,
    ...(names.pr === undefined ? {} : { [TAG.pr]: String(names.pr) }),
    [TAG.createdAt]: fields.createdAt,
    [TAG.deployedAt]: fields.deployedAt,
    [TAG.image]: fields.image,
    ...(fields.spec ? { [TAG.spec]: fields.spec } : {}),
    ...(fields.createId ? { [TAG.createId]: fields.createId } : {}),
  };
}

/** True when `tags` mark a resource of environment `name` under `prefix`. */
export function isOwnedBy(tags: TagMap, prefix: string, name: string): boolean {
  return tags[TAG.prefix] === prefix && tags[TAG.name] === name;
}

/** ECS form (`key`/`value`). */
export function ecsTags(tags: TagMap): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

/** ELBv2 form (`Key`/`Value`). */
export function elbTags(tags: TagMap): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Reads either form into a map. */
export function tagMap(
  tags:
    | readonly (
        | { key?: string | undefined; value?: string | undefined }
        | { Key?: string | undefined; Value?: string | undefined }
      )[]
    | undefined,
): TagMap {
  const out: TagMap = {};
  for (const t of tags ?? []) {
    const key = 'key' in t ? t.key : 'Key' in t ? t.Key : undefined;
    const value = 'value' in t ? t.value : 'Value' in t ? t.Value : undefined;
    if (key !== undefined) out[key] = value ?? '';
  }
  return out;
}

/** Tags of the reference resource worth carrying over: not AWS's, not ours. */
export function inheritedTags(tags: TagMap, room: number): TagMap {
  const out: TagMap = {};
  for (const [k, v] of Object.entries(tags)) {
    if (Object.keys(out).length >= room) break;
    if (k.startsWith('aws:') || k.startsWith('preview-env:')) continue;
    out[k] = v;
  }
  return out;
}
