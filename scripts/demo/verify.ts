// The final check: after delete and sweep, the account holds exactly what the seed made.
import { listAccountResources } from '../../packages/testkit/src/inventory.ts';
import type { SeedClientConfig, SeededAccount } from '../../packages/testkit/src/seed.ts';

/** Resources left beyond the seeded ones, by kind (all empty when the demo cleaned up). */
export interface Leftovers {
  targetGroups: string[];
  rules: string[];
  services: string[];
  dnsRecords: string[];
  taskDefinitionFamilies: string[];
  ingressRules: string[];
}

/** Lists what preview-env, ecs-rollback and sg-ip-window left behind in the seeded account. */
export async function findLeftovers(
  aws: SeedClientConfig,
  seeded: SeededAccount,
): Promise<Leftovers> {
  const inventory = await listAccountResources(aws, {
    cluster: seeded.cluster,
    listenerArn: seeded.listenerArn,
    hostedZoneId: seeded.hostedZoneId,
    securityGroupIds: [seeded.securityGroupId],
  });
  return {
    targetGroups: inventory.targetGroups
      .filter((tg) => tg.arn !== seeded.targetGroupArn)
      .map((tg) => tg.name),
    rules: inventory.rules
      .filter((r) => r.arn !== seeded.referenceRuleArn)
      .map((r) => `priority ${r.priority} (${r.hosts.join(', ')})`),
    services: inventory.services
      .filter((s) => s.name !== seeded.referenceService)
      .map((s) => s.name),
    dnsRecords: inventory.records,
    taskDefinitionFamilies: inventory.taskDefinitionFamilies
      .filter((f) => f.family !== seeded.taskFamily)
      .map((f) => `${f.family} (${f.activeRevisions} ACTIVE)`),
    ingressRules: inventory.ingressRules.map((r) => `${r.id} ${r.cidr}`),
  };
}

/** Human labels of the {@link Leftovers} kinds, in the order they are reported. */
export const LEFTOVER_LABELS: Record<keyof Leftovers, string> = {
  targetGroups: 'target groups besides the reference one',
  rules: 'listener rules besides the reference one',
  services: 'ACTIVE preview services',
  dnsRecords: 'preview DNS records',
  taskDefinitionFamilies: 'preview task definition families',
  ingressRules: 'security group ingress rules',
};
