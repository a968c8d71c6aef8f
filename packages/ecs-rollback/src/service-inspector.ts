import type { ECSClient, Service, ServiceDeploymentStatus } from '@aws-sdk/client-ecs';
import { describeService } from './service.ts';
import { type DeploymentHistory, readDeploymentHistory } from './service-deployments.ts';
import {
  addDigest,
  type KnownDigests,
  listFamilyRevisions,
  type RevisionRef,
  TaskDefinitionReader,
  toVersion,
} from './task-definitions.ts';
import { runningTaskDigests } from './task-digests.ts';
import type { ServiceRef, TaskDefinitionVersion } from './types.ts';

/**
 * Reads what planning and history need about one service, each piece once and only when
 * asked for: explicit targets need two calls, `previous` and tag lookups a few more.
 */
export class ServiceInspector {
  readonly ecs: ECSClient;
  readonly ref: ServiceRef;
  readonly reader: TaskDefinitionReader;
  readonly #memo = new Map<string, Promise<unknown>>();

  constructor(ecs: ECSClient, ref: ServiceRef) {
    this.ecs = ecs;
    this.ref = ref;
    this.reader = new TaskDefinitionReader(ecs);
  }

  #once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let hit = this.#memo.get(key) as Promise<T> | undefined;
    if (!hit) {
      hit = load();
      this.#memo.set(key, hit);
    }
    return hit;
  }

  /** The service (throws when the cluster or service does not exist). */
  service(): Promise<Service> {
    return this.#once('service', () => describeService(this.ecs, this.ref));
  }

  /** The revision the service is set to run. */
  async current(): Promise<TaskDefinitionVersion> {
    const service = await this.service();
    return this.version(service.taskDefinition as string);
  }

  /** A revision's images, with digests ECS knows when they have been loaded. */
  async version(id: string): Promise<TaskDefinitionVersion> {
    const { taskDefinition } = await this.reader.describe(id);
    const digests = this.#memo.has('digests') ? await this.digests() : undefined;
    return toVersion(taskDefinition, digests);
  }

  /** Revisions of `family` with `status`, newest first. */
  revisions(family: string, status: 'ACTIVE' | 'INACTIVE'): Promise<RevisionRef[]> {
    return this.#once(`revisions:${family}:${status}`, () =>
      listFamilyRevisions(this.ecs, family, status),
    );
  }

  /** The service deployment history (all statuses, or only those given). */
  deployments(statuses?: ServiceDeploymentStatus[]): Promise<DeploymentHistory> {
    const all = this.#memo.get('deployments:*') as Promise<DeploymentHistory> | undefined;
    if (statuses && all) {
      // Already read in full (for digests): filter instead of asking again.
      return all.then((h) =>
        h.available
          ? {
              ...h,
              deployments: h.deployments.filter((d) =>
                statuses.includes(d.status as ServiceDeploymentStatus),
              ),
            }
          : h,
      );
    }
    return this.#once(`deployments:${statuses?.join(',') ?? '*'}`, async () => {
      const service = await this.service();
      return readDeploymentHistory(
        this.ecs,
        service.clusterArn ?? this.ref.cluster,
        service.serviceArn ?? this.ref.service,
        statuses,
      );
    });
  }

  /** Digests ECS resolved: from running tasks and from the service deployment history. */
  digests(): Promise<KnownDigests> {
    return this.#once('digests', async () => {
      const service = await this.service();
      const digests: KnownDigests = new Map();
      const [history] = await Promise.all([
        this.deployments(),
        runningTaskDigests(
          this.ecs,
          service.clusterArn ?? this.ref.cluster,
          service.serviceName ?? this.ref.service,
          digests,
        ),
      ]);
      if (history.available) {
        for (const d of history.deployments) {
          for (const c of d.containerImages) {
            addDigest(digests, d.taskDefinitionArn, c.containerName, c.imageDigest);
          }
        }
      }
      return digests;
    });
  }
}
