import {
  DescribeTaskDefinitionCommand,
  type ECSClient,
  ListTaskDefinitionsCommand,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { collectAll, isAwsError } from '@berth/internal';
import { awsCall, awsFailure } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import { parseImage } from './image.ts';
import type { ContainerImageInfo, TaskDefinitionVersion } from './types.ts';

const ARN = /^arn:aws[a-z-]*:ecs:[^:]*:\d*:task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const FAMILY_REVISION = /^([A-Za-z0-9_-]{1,255}):(\d+)$/;

/** Family and revision of a task definition ARN or `family:revision`, or undefined. */
export function parseTaskDefinitionId(
  id: string,
): { family: string; revision: number } | undefined {
  const m = ARN.exec(id) ?? FAMILY_REVISION.exec(id);
  if (!m) return undefined;
  return { family: m[1] as string, revision: Number(m[2]) };
}

/** Region and account of a task definition ARN (undefined for `family:revision`). */
export function parseTaskDefinitionArn(
  id: string,
): { region: string; account: string; family: string; revision: number } | undefined {
  const m = /^arn:aws[a-z-]*:ecs:([^:]*):(\d*):task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/.exec(
    id,
  );
  if (!m) return undefined;
  return {
    region: m[1] as string,
    account: m[2] as string,
    family: m[3] as string,
    revision: Number(m[4]),
  };
}

/** `family:revision` of an ARN, for people. */
export function shortTaskDefinition(arn: string): string {
  const id = parseTaskDefinitionId(arn);
  return id ? `${id.family}:${id.revision}` : arn;
}

/** Digests ECS resolved, by task definition ARN then container name. */
export type KnownDigests = Map<string, Map<string, string>>;

/** Records a digest ECS reported for a container of a task definition. */
export function addDigest(
  digests: KnownDigests,
  taskDefinitionArn: string | undefined,
  container: string | undefined,
  digest: string | undefined,
): void {
  if (!taskDefinitionArn || !container || !digest) return;
  let byContainer = digests.get(taskDefinitionArn);
  if (!byContainer) {
    byContainer = new Map();
    digests.set(taskDefinitionArn, byContainer);
  }
  byContainer.set(container, digest);
}

/** The images of a described task definition, with digests ECS knows added. */
export function toVersion(td: TaskDefinition, digests?: KnownDigests): TaskDefinitionVersion {
  const arn = td.taskDefinitionArn as string;
  const known = digests?.get(arn);
  const containers: ContainerImageInfo[] = (td.containerDefinitions ?? []).map((c) => {
    const image = c.image ?? '';
    const ref = parseImage(image);
    const digest = ref.digest ?? known?.get(c.name ?? '');
    return {
      container: c.name ?? '',
      image,
      repository: ref.repository,
      ...(ref.tag ? { tag: ref.tag } : {}),
      ...(digest ? { digest } : {}),
    };
  });
  return {
    taskDefinitionArn: arn,
    family: td.family ?? parseTaskDefinitionId(arn)?.family ?? '',
    revision: td.revision ?? parseTaskDefinitionId(arn)?.revision ?? 0,
    status: td.status ?? 'ACTIVE',
    ...(td.registeredAt ? { registeredAt: td.registeredAt } : {}),
    containers,
  };
}

/** A described task definition with its tags. */
export interface DescribedTaskDefinition {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/**
 * Describes task definitions once per run: planning looks at the same revisions several
 * times, and DescribeTaskDefinition is rate limited.
 */
export class TaskDefinitionReader {
  readonly #ecs: ECSClient;
  readonly #cache = new Map<string, Promise<DescribedTaskDefinition>>();

  constructor(ecs: ECSClient) {
    this.#ecs = ecs;
  }

  /**
   * Describes an ARN or `family:revision`.
   * @throws EcsRollbackError `E_TARGET_NOT_FOUND` when it does not exist.
   */
  describe(id: string): Promise<DescribedTaskDefinition> {
    let hit = this.#cache.get(id);
    if (!hit) {
      hit = this.#load(id);
      this.#cache.set(id, hit);
      hit.catch(() => this.#cache.delete(id));
    }
    return hit;
  }

  async #load(id: string): Promise<DescribedTaskDefinition> {
    try {
      const out = await this.#ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: id, include: ['TAGS'] }),
      );
      if (!out.taskDefinition?.taskDefinitionArn) throw new Error('empty answer');
      const described = { taskDefinition: out.taskDefinition, tags: out.tags ?? [] };
      if (out.taskDefinition.taskDefinitionArn !== id) {
        this.#cache.set(out.taskDefinition.taskDefinitionArn, Promise.resolve(described));
      }
      return described;
    } catch (error) {
      // ECS answers ClientException "Unable to describe task definition" for a missing one.
      if (isAwsError(error, 'ClientException', 'InvalidParameterException')) {
        throw new EcsRollbackError(
          'E_TARGET_NOT_FOUND',
          `task definition "${id}" not found: check the revision number or ARN (list them with \`ecs-rollback history\`)`,
          { cause: error },
        );
      }
      throw awsFailure('DescribeTaskDefinition', error);
    }
  }
}

/** One revision of a family as ListTaskDefinitions names it. */
export interface RevisionRef {
  taskDefinitionArn: string;
  revision: number;
}

/**
 * Every revision of `family` with `status`, newest first. Sorted and paged here: the
 * documented `sort` is not honoured by every endpoint, and a prefix filter can match other
 * families (`app` and `app-worker`).
 */
export async function listFamilyRevisions(
  ecs: ECSClient,
  family: string,
  status: 'ACTIVE' | 'INACTIVE',
): Promise<RevisionRef[]> {
  const arns = await collectAll(async (token) => {
    const out = await awsCall('ListTaskDefinitions', () =>
      ecs.send(
        new ListTaskDefinitionsCommand({
          familyPrefix: family,
          status,
          sort: 'DESC',
          maxResults: 100,
          ...(token ? { nextToken: token } : {}),
        }),
      ),
    );
    return { items: out.taskDefinitionArns ?? [], next: out.nextToken };
  });
  const found = new Map<string, RevisionRef>();
  for (const arn of arns) {
    const id = parseTaskDefinitionId(arn);
    if (id && id.family === family)
      found.set(arn, { taskDefinitionArn: arn, revision: id.revision });
  }
  return [...found.values()].sort((a, b) => b.revision - a.revision);
}
