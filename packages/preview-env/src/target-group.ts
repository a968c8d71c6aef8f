import type {
  CreateTargetGroupCommandInput,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';

/**
 * CreateTargetGroup input of an environment: protocol, port, target type and the whole health
 * check copied from the reference service's target group.
 */
export function targetGroupInput(
  reference: TargetGroup,
  name: string,
  tags: { Key: string; Value: string }[],
): CreateTargetGroupCommandInput {
  const r = reference;
  const input: CreateTargetGroupCommandInput = {
    Name: name,
    Tags: tags,
  };
  const copy = {
    Protocol: r.Protocol,
    ProtocolVersion: r.ProtocolVersion,
    Port: r.Port,
    VpcId: r.VpcId,
    TargetType: r.TargetType,
    IpAddressType: r.IpAddressType,
    HealthCheckEnabled: r.HealthCheckEnabled,
    HealthCheckProtocol: r.HealthCheckProtocol,
    HealthCheckPort: r.HealthCheckPort,
    HealthCheckPath: r.HealthCheckPath,
    HealthCheckIntervalSeconds: r.HealthCheckIntervalSeconds,
    HealthCheckTimeoutSeconds: r.HealthCheckTimeoutSeconds,
    HealthyThresholdCount: r.HealthyThresholdCount,
    UnhealthyThresholdCount: r.UnhealthyThresholdCount,
    Matcher: r.Matcher,
  };
  for (const [k, v] of Object.entries(copy)) {
    if (v !== undefined && v !== null) (input as unknown as Record<string, unknown>)[k] = v;
  }
  return input;
}
