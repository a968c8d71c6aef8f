import type { Deployment } from '@aws-sdk/client-ecs';
import { mapLimit } from '@berth/internal';
import { withSession } from './ecs-client.ts';
import { EcsRollbackError } from './errors.ts';
import { ImageChecker, imageGone } from './image-check.ts';
import { checkServiceRef } from './service.ts';
import { type DeploymentRecord, outcomeOf } from './service-deployments.ts';
import { ServiceInspector } from './service-inspector.ts';
import { parseTaskDefinitionId } from './task-definitions.ts';
import type {
  DeploymentOutcome,
  EcsRollbackOptions,
  ServiceHistory,
  ServiceRef,
  ServiceVersion,
} from './types.ts';

/** Options of {@link history}. */
export interface HistoryOptions extends EcsRollbackOptions, ServiceRef {
  /** Most versions to return (default 20). */
  limit?: number;
  /** Do not ask ECR whether each revision's images still exist (default: ask). */
  skipImageCheck?: boolean;
}

const DESCRIBE_CONCURRENCY = 5;

/**
 * The service's versions, newest first: each task definition revision of its family (and
 * any other revision the service deployment history shows it ran), with every container's
 * image, tag and digest (when ECS knows it), registration time, the latest deployment
 * outcome where known, and which one is current.
 *
 * @example
 * ```ts
 * const { versions } = await history({ cluster: 'prod', service: 'web', limit: 10 });
 * for (const v of versions) console.log(v.current ? '*' : ' ', v.revision, v.containers[0]?.tag, v.outcome);
 * ```
 */
export async function history(options: HistoryOptions): Promise<ServiceHistory> {
  checkServiceRef(options);
  const limit = options.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new EcsRollbackError('E_INPUT', `limit must be a positive integer, got ${limit}`);
  }
  return withSession(options, async ({ ecs }) => {
    const ins = new ServiceInspector(ecs, { cluster: options.cluster, service: options.service });
    const service = await ins.service();
    const currentArn = service.taskDefinition as string;
    const family = parseTaskDefinitionId(currentArn)?.family ?? (await ins.current()).family;
    const [active, inactive, deployments] = await Promise.all([
      ins.revisions(family, 'ACTIVE'),
      ins.revisions(family, 'INACTIVE'),
      ins.deployments(),
      ins.digests(),
    ]);

    const records = deployments.available ? deployments.deployments : [];
    const fromService = outcomesFromService(service.deployments ?? []);
    const familyArns = [...active, ...inactive]
      .sort((a, b) => b.revision - a.revision)
      .map((r) => r.taskDefinitionArn);
    const otherArns = [
      ...new Set(
        records
          .map((d) => d.taskDefinitionArn)
          .filter((a): a is string => !!a && parseTaskDefinitionId(a)?.family !== family),
      ),
    ];
    let wanted = [...familyArns.slice(0, limit), ...otherArns.slice(0, limit)];
    if (!wanted.includes(currentArn)) wanted = [currentArn, ...wanted];

    const versions = await mapLimit(wanted, DESCRIBE_CONCURRENCY, async (arn) => {
      const version = await ins.version(arn);
      const latest = records.find((d) => d.taskDefinitionArn === arn);
      const known = latest ? fromRecord(latest) : fromService.get(arn);
      const entry: ServiceVersion = { ...version, current: arn === currentArn };
      if (known) Object.assign(entry, known);
      return entry;
    });
    versions.sort(
      (a, b) =>
        (b.registeredAt?.getTime() ?? 0) - (a.registeredAt?.getTime() ?? 0) ||
        (a.family === b.family ? b.revision - a.revision : 0),
    );
    let shown = versions.slice(0, limit);
    if (!shown.some((v) => v.current)) {
      shown = [...shown.slice(0, limit - 1), versions.find((v) => v.current) as ServiceVersion];
    }
    if (!options.skipImageCheck) {
      const checker = new ImageChecker(options);
      await mapLimit(shown, DESCRIBE_CONCURRENCY, async (v) => {
        v.imageChecks = await checker.check(v);
        v.imagesGone = v.imageChecks.some((c) => imageGone(c.state));
      });
    }
    return {
      cluster: options.cluster,
      service: options.service,
      serviceArn: service.serviceArn ?? options.service,
      currentTaskDefinitionArn: currentArn,
      source: deployments.available ? 'service-deployments' : 'task-definition-family',
      versions: shown,
      ...(deployments.available ? {} : { note: deployments.reason }),
    };
  });
}

type Known = Pick<ServiceVersion, 'outcome' | 'outcomeReason' | 'deployedAt'>;

function fromRecord(d: DeploymentRecord): Known {
  return {
    outcome: outcomeOf(d.status),
    ...(d.statusReason ? { outcomeReason: d.statusReason } : {}),
    ...(d.at ? { deployedAt: d.at } : {}),
  };
}

/** What the service's current deployments say, for when there is no deployment history. */
function outcomesFromService(deployments: Deployment[]): Map<string, Known> {
  const out = new Map<string, Known>();
  for (const d of deployments) {
    if (!d.taskDefinition || out.has(d.taskDefinition)) continue;
    const outcome: DeploymentOutcome =
      d.rolloutState === 'COMPLETED'
        ? 'succeeded'
        : d.rolloutState === 'FAILED'
          ? 'failed'
          : 'in-progress';
    out.set(d.taskDefinition, {
      outcome,
      ...(d.rolloutStateReason ? { outcomeReason: d.rolloutStateReason } : {}),
      ...(d.createdAt ? { deployedAt: d.createdAt } : {}),
    });
  }
  return out;
}
