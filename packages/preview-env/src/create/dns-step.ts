import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { type AliasTarget, restoreRecords, upsertAlias } from '../dns.ts';
import { awsStep } from '../steps.ts';
import type { CreateContext } from './context.ts';

/** The environment's A-ALIAS record; the rollback puts back what was there before. */
export async function writeRecord(
  ctx: CreateContext,
  zone: string,
  alias: AliasTarget,
  before: ResourceRecordSet[],
): Promise<void> {
  const { route53 } = ctx.clients;
  const { names } = ctx;
  // Registered before the write: putting back what was there is safe whether or not a write
  // whose answer was lost was applied (and changes nothing when it was not).
  ctx.rollback.add(`DNS record ${names.host}`, async () => {
    if (ctx.ruleAdopted) return;
    await restoreRecords(ctx.cleanupClients.route53, zone, names.host, before);
  });
  await awsStep('write DNS record', names.host, () =>
    upsertAlias(route53, zone, names.host, alias, before),
  );
}
