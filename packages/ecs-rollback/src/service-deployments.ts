import {
  type ContainerImage,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type ServiceDeploymentBrief,
  type ServiceDeploymentStatus,
  type ServiceRevision,
} from '@aws-sdk/client-ecs';
import { awsErrorInfo, chunk, paginate } from '@berth/internal';
import { awsFailure } from './ecs-client.ts';
import type { DeploymentOutcome } from './types.ts';

/** One service deployment with the revision it deployed. */
export interface DeploymentRecord {
  serviceDeploymentArn: string;
  status: ServiceDeploymentStatus | string;
  statusReason?: string;
  /** Best time to order deployments by: finished, else started, else created. */
  at?: Date;
  taskDefinitionArn?: string;
  containerImages: ContainerImage[];
}

/** What the service deployment APIs said, or why they could not be used. */
export type DeploymentHistory =
  | { available: true; deployments: DeploymentRecord[] }
  | { available: false; reason: string };

const PAGE = 100;
const MAX_PAGES = 5;
const REVISIONS_PER_CALL = 20;

/**
 * True when an error means "these APIs are not there for us" (older endpoints and emulators
 * answer HTML, an IAM policy may not grant them, a deployment controller may not support
 * them), as opposed to a transient failure that must not silently change the answer.
 */
export function deploymentApiUnavailable(error: unknown): boolean {
  const e = error as { name?: string; message?: string; $response?: unknown };
  if (e?.name === 'SyntaxError' || /Deserialization error/i.test(e?.message ?? '')) return true;
  const info = awsErrorInfo(error);
  if (info.status === 404 || info.status === 501) return true;
  if (info.retryable) return false;
  return /UnknownOperation|InvalidAction|AccessDenied|Unauthorized|UnsupportedFeature|InvalidParameter|NotImplemented|UnknownError/i.test(
    info.code,
  );
}

/**
 * Reads the service's deployments (newest first) with the task definition and images of
 * each, from ListServiceDeployments and DescribeServiceRevisions. Deployments created before
 * 2024-10-25 or older than 90 days are not in this history.
 */
export async function readDeploymentHistory(
  ecs: ECSClient,
  cluster: string,
  service: string,
  statuses?: ServiceDeploymentStatus[],
): Promise<DeploymentHistory> {
  const briefs: ServiceDeploymentBrief[] = [];
  try {
    let pages = 0;
    const all = paginate(async (token) => {
      pages++;
      const out = await ecs.send(
        new ListServiceDeploymentsCommand({
          cluster,
          service,
          maxResults: PAGE,
          ...(statuses ? { status: statuses } : {}),
          ...(token ? { nextToken: token } : {}),
        }),
      );
      // Enough history: stop after MAX_PAGES pages.
      return {
        items: out.serviceDeployments ?? [],
        next: pages < MAX_PAGES ? out.nextToken : undefined,
      };
    });
    for await (const brief of all) briefs.push(brief);
  } catch (error) {
    if (deploymentApiUnavailable(error)) {
      return {
        available: false,
        reason: `ecs:ListServiceDeployments unavailable (${describeError(error)})`,
      };
    }
    throw awsFailure('ListServiceDeployments', error);
  }

  // The API does not document an order: sort here.
  const at = (b: (typeof briefs)[number]) => b.finishedAt ?? b.startedAt ?? b.createdAt;
  briefs.sort((a, b) => (at(b)?.getTime() ?? 0) - (at(a)?.getTime() ?? 0));

  const revisionArns = [
    ...new Set(briefs.map((b) => b.targetServiceRevisionArn).filter((a): a is string => !!a)),
  ];
  const revisions = new Map<string, ServiceRevision>();
  for (const batch of chunk(revisionArns, REVISIONS_PER_CALL)) {
    try {
      const out = await ecs.send(
        new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch }),
      );
      for (const r of out.serviceRevisions ?? []) {
        if (r.serviceRevisionArn) revisions.set(r.serviceRevisionArn, r);
      }
    } catch (error) {
      if (deploymentApiUnavailable(error)) {
        return {
          available: false,
          reason: `ecs:DescribeServiceRevisions unavailable (${describeError(error)})`,
        };
      }
      throw awsFailure('DescribeServiceRevisions', error);
    }
  }

  const deployments: DeploymentRecord[] = briefs
    .filter((b) => b.serviceDeploymentArn)
    .map((b) => {
      const revision = b.targetServiceRevisionArn
        ? revisions.get(b.targetServiceRevisionArn)
        : undefined;
      const when = at(b);
      return {
        serviceDeploymentArn: b.serviceDeploymentArn as string,
        status: b.status ?? 'UNKNOWN',
        ...(b.statusReason ? { statusReason: b.statusReason } : {}),
        ...(when ? { at: when } : {}),
        ...(revision?.taskDefinition ? { taskDefinitionArn: revision.taskDefinition } : {}),
        containerImages: revision?.containerImages ?? [],
      };
    });
  return { available: true, deployments };
}

/** Maps a service deployment status to the outcome shown in history. */
export function outcomeOf(status: string): DeploymentOutcome {
  switch (status) {
    case 'SUCCESSFUL':
      return 'succeeded';
    case 'ROLLBACK_REQUESTED':
    case 'ROLLBACK_IN_PROGRESS':
    case 'ROLLBACK_SUCCESSFUL':
    case 'ROLLBACK_FAILED':
      return 'rolled-back';
    case 'STOPPED':
    case 'STOP_REQUESTED':
      return 'stopped';
    default:
      return 'in-progress';
  }
}

function describeError(error: unknown): string {
  const e = error as { name?: string };
  if (e?.name === 'SyntaxError') return 'the endpoint did not answer this API';
  const info = awsErrorInfo(error);
  return info.status ? `${info.code}, HTTP ${info.status}` : info.code;
}
