import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  type ECSClient,
  ListServiceDeploymentsCommand,
  type Service,
  StopServiceDeploymentCommand,
} from '@aws-sdk/client-ecs';
import { awsErrorInfo } from '@berth/internal';
import type { RollbackPlan } from './plan.ts';
import { shortTaskDefinition } from './task-definitions.ts';

/** How a rollback was done. */
export type RollbackMethod = 'stop-service-deployment' | 'update-service';

/** The outcome of trying ECS's own rollback of the deployment in progress. */
export type NativeAttempt =
  | { used: true; serviceDeploymentArn: string; reason: string }
  | { used: false; reason: string };

const ROLLING_BACK = new Set([
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCESSFUL',
  'STOP_REQUESTED',
]);

/**
 * Asks ECS to roll back the deployment in progress itself (StopServiceDeployment, stopType
 * ROLLBACK), when that goes exactly where the plan goes: the deployment is in progress, it
 * deploys the revision the service runs, and the revision it came from is the plan's target.
 * ECS then restores the whole previous service revision (task definition, load balancers,
 * network and capacity settings), which UpdateService cannot. Never throws: any reason not to
 * (or a refusal: the API is not available, access denied, the deployment is no longer in
 * progress) comes back as `{ used: false, reason }` and the caller falls back to UpdateService.
 */
export async function tryNativeRollback(
  ecs: ECSClient,
  service: Service,
  plan: RollbackPlan,
): Promise<NativeAttempt> {
  const target = plan.target.taskDefinitionArn;
  if (plan.willRegister || !target) {
    return { used: false, reason: 'a new revision is registered, which ECS cannot roll back to' };
  }
  const primary = service.deployments?.find((d) => d.status === 'PRIMARY');
  if (primary?.rolloutState !== 'IN_PROGRESS') {
    return {
      used: false,
      reason: `no deployment in progress (the current one is ${primary?.rolloutState ?? 'not shown'}), so there is none for ECS to roll back`,
    };
  }
  const where = {
    cluster: service.clusterArn ?? plan.cluster,
    service: service.serviceArn ?? plan.service,
  };
  let arn: string | undefined;
  try {
    const out = await ecs.send(
      new ListServiceDeploymentsCommand({ ...where, status: ['IN_PROGRESS'], maxResults: 10 }),
    );
    const newest = (out.serviceDeployments ?? [])
      .filter((d) => d.serviceDeploymentArn)
      .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0))[0];
    arn = newest?.serviceDeploymentArn;
    if (!arn) {
      return { used: false, reason: 'ECS lists no service deployment in progress' };
    }
    const described = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
    );
    const deployment = described.serviceDeployments?.[0];
    const sources = (deployment?.sourceServiceRevisions ?? [])
      .map((r) => r.arn)
      .filter((a): a is string => !!a);
    const revisionArns = [
      ...sources,
      ...(deployment?.targetServiceRevision?.arn ? [deployment.targetServiceRevision.arn] : []),
    ];
    const revisions = revisionArns.length
      ? ((
          await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: revisionArns }))
        ).serviceRevisions ?? [])
      : [];
    const taskDefinitionOf = (revisionArn: string) =>
      revisions.find((r) => r.serviceRevisionArn === revisionArn)?.taskDefinition;
    const deploying = deployment?.targetServiceRevision?.arn
      ? taskDefinitionOf(deployment.targetServiceRevision.arn)
      : undefined;
    if (deploying && deploying !== plan.current.taskDefinitionArn) {
      return {
        used: false,
        reason: `the deployment in progress deploys ${shortTaskDefinition(deploying)}, not ${shortTaskDefinition(plan.current.taskDefinitionArn)}`,
      };
    }
    const from = sources.map(taskDefinitionOf).filter((t): t is string => !!t);
    if (from.length !== 1 || from[0] !== target) {
      return {
        used: false,
        reason: `ECS would roll back to ${from.map(shortTaskDefinition).join(', ') || 'an unknown revision'}, not ${shortTaskDefinition(target)}`,
      };
    }
  } catch (error) {
    return { used: false, reason: `could not read the deployment in progress: ${describe(error)}` };
  }

  try {
    await ecs.send(
      new StopServiceDeploymentCommand({ serviceDeploymentArn: arn, stopType: 'ROLLBACK' }),
    );
    return {
      used: true,
      serviceDeploymentArn: arn,
      reason: `ECS rolls back its deployment in progress (${shortId(arn)}) to the previous service revision`,
    };
  } catch (error) {
    // The request may have been applied although its answer was lost: ask before falling back.
    const applied = await rollingBack(ecs, arn);
    if (applied) {
      return {
        used: true,
        serviceDeploymentArn: arn,
        reason: `ECS rolls back its deployment in progress (${shortId(arn)}); the StopServiceDeployment answer was lost (${describe(error)}) but the deployment is ${applied}`,
      };
    }
    return { used: false, reason: `ecs:StopServiceDeployment refused: ${describe(error)}` };
  }
}

async function rollingBack(ecs: ECSClient, arn: string): Promise<string | undefined> {
  try {
    const out = await ecs.send(
      new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }),
    );
    const status = out.serviceDeployments?.[0]?.status;
    return status && ROLLING_BACK.has(status) ? status : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  const e = error as { name?: string };
  if (e?.name === 'SyntaxError') return 'the endpoint does not answer this API';
  const info = awsErrorInfo(error);
  const hint = /AccessDenied|Unauthorized/.test(info.code)
    ? ' (grant ecs:StopServiceDeployment to use it)'
    : '';
  return `${info.code}: ${info.message}${hint}`;
}

function shortId(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}
