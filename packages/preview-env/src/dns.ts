import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';

/** The load balancer an alias record points at. */
export interface AliasTarget {
  dnsName: string;
  hostedZoneId: string;
}

const TYPES = new Set(['A', 'AAAA', 'CNAME']);

/** A listed record as a change needs it: an alias carries no TTL or values. */
function asChange(r: ResourceRecordSet): ResourceRecordSet {
  if (!r.AliasTarget) return r;
  const { TTL: _ttl, ResourceRecords: _values, ...alias } = r;
  return alias;
}

function normalize(name: string | undefined): string {
  return (name ?? '').replace(/\.$/, '').replace(/\\052/g, '*').toLowerCase();
}

/** The A, AAAA or CNAME records named exactly `host` (an environment may have any of them). */
export async function findRecords(
  route53: Route53Client,
  zoneId: string,
  host: string,
): Promise<ResourceRecordSet[]> {
  const out = await route53.send(
    new ListResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      StartRecordName: host,
      MaxItems: 10,
    }),
  );
  const wanted = normalize(host);
  return (out.ResourceRecordSets ?? []).filter(
    (r) => normalize(r.Name) === wanted && TYPES.has(r.Type ?? ''),
  );
}

/** True when `records` already hold an alias of `host` to the load balancer. */
export function aliasInPlace(records: readonly ResourceRecordSet[], target: AliasTarget): boolean {
  return records.some(
    (r) =>
      r.Type === 'A' &&
      normalize(r.AliasTarget?.DNSName).replace(/^dualstack\./, '') ===
        normalize(target.dnsName).replace(/^dualstack\./, '') &&
      r.AliasTarget?.HostedZoneId === target.hostedZoneId,
  );
}

/** An A-ALIAS record of `host` to the load balancer, replacing a CNAME of the same name. */
export async function upsertAlias(
  route53: Route53Client,
  zoneId: string,
  host: string,
  target: AliasTarget,
  existing: readonly ResourceRecordSet[],
): Promise<void> {
  // A CNAME cannot coexist with an A record of the same name: replace it in the same batch.
  const cnames = existing.filter((r) => r.Type === 'CNAME');
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Comment: `preview-env ${host}`,
        Changes: [
          ...cnames.map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: asChange(r) })),
          {
            Action: 'UPSERT' as const,
            ResourceRecordSet: {
              Name: host,
              Type: 'A' as const,
              AliasTarget: {
                DNSName: target.dnsName,
                HostedZoneId: target.hostedZoneId,
                EvaluateTargetHealth: false,
              },
            },
          },
        ],
      },
    }),
  );
}

/** Deletes `records` exactly as listed (Route 53 needs the current values). */
export async function deleteRecords(
  route53: Route53Client,
  zoneId: string,
  records: readonly ResourceRecordSet[],
): Promise<void> {
  if (records.length === 0) return;
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: records.map((r) => ({
          Action: 'DELETE' as const,
          ResourceRecordSet: asChange(r),
        })),
      },
    }),
  );
}

/** Puts back records as they were before a failed create changed them. */
export async function restoreRecords(
  route53: Route53Client,
  zoneId: string,
  host: string,
  before: readonly ResourceRecordSet[],
): Promise<void> {
  const now = await findRecords(route53, zoneId, host);
  const changes = [
    ...now.map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: asChange(r) })),
    ...before.map((r) => ({ Action: 'CREATE' as const, ResourceRecordSet: asChange(r) })),
  ];
  if (changes.length === 0) return;
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: changes },
    }),
  );
}
