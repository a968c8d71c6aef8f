import type { Service } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { abortable, withClients } from '@berth/internal';
import { awsOptions } from './ecs-client.ts';
import type { EcsRollbackOptions } from './types.ts';

/**
 * The remedy for failed ELB health checks, with the target group's own health check (path,
 * port, success codes) read from DescribeTargetGroups; undefined when it cannot be read (the
 * generic remedy is used then: this is a hint, not a step that may fail the command).
 */
export async function healthCheckRemedy(
  evidence: string,
  service: Service | undefined,
  options: EcsRollbackOptions,
): Promise<string | undefined> {
  const arn = /(arn:aws[a-z-]*:elasticloadbalancing:[^\s)]*:targetgroup\/[^\s)]+)/.exec(
    evidence,
  )?.[1];
  const name = arn ? undefined : /\(target-group ([^\s)]+)\)/.exec(evidence)?.[1];
  const fromService = service?.loadBalancers?.find((lb) => lb.targetGroupArn);
  const query = arn
    ? { TargetGroupArns: [arn] }
    : name
      ? { Names: [name] }
      : fromService?.targetGroupArn
        ? { TargetGroupArns: [fromService.targetGroupArn] }
        : undefined;
  if (!query) return undefined;
  try {
    const out = await withClients(
      { elbv2: ElasticLoadBalancingV2Client },
      { ...awsOptions(options), clients: { elbv2: options.clients?.elbv2 } },
      ({ elbv2 }) => abortable(elbv2, options.signal).send(new DescribeTargetGroupsCommand(query)),
    );
    const tg = out.TargetGroups?.[0];
    return tg ? describe(tg, service) : undefined;
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return undefined;
  }
}

function describe(tg: TargetGroup, service: Service | undefined): string {
  const lb = service?.loadBalancers?.find((l) => l.targetGroupArn === tg.TargetGroupArn);
  const port =
    tg.HealthCheckPort === 'traffic-port' || !tg.HealthCheckPort
      ? `the traffic port${lb?.containerPort ? ` (container port ${lb.containerPort}${lb.containerName ? ` of ${lb.containerName}` : ''})` : tg.Port ? ` (${tg.Port})` : ''}`
      : `port ${tg.HealthCheckPort}`;
  const protocol = tg.HealthCheckProtocol ?? 'HTTP';
  const path = tg.HealthCheckPath && protocol.startsWith('HTTP') ? ` ${tg.HealthCheckPath}` : '';
  const codes = tg.Matcher?.HttpCode ?? tg.Matcher?.GrpcCode;
  const grace = service?.healthCheckGracePeriodSeconds;
  return `tasks failed the health check of target group ${tg.TargetGroupName ?? tg.TargetGroupArn}: ${protocol}${path} on ${port}${
    codes ? `, success codes ${codes}` : ''
  }, ${tg.HealthCheckTimeoutSeconds ?? '?'} s timeout, unhealthy after ${tg.UnhealthyThresholdCount ?? '?'} failures every ${tg.HealthCheckIntervalSeconds ?? '?'} s: make the app answer there in time, or raise healthCheckGracePeriodSeconds (now ${grace ?? 0} s) for a slow start`;
}
