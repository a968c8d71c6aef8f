import { defineCommand, UsageError } from '@berth/internal';
import { sweep } from '../sweep.ts';
import { list } from './window-options.ts';

/** `sg-ip-window sweep`: remove expired windows of killed runs. */
export const sweepCommand = defineCommand({
  name: 'sweep',
  summary: "Revoke this tool's expired rules that no one holds any more (leftovers of killed runs)",
  usage: 'sweep --group <sg-id>... [--dry-run] [--json]',
  description: `Only rules tagged sg-ip-window:owner are considered; rules of people and other
tools are never touched. Prints the revoked rule ids (with --dry-run: the ones that would be).`,
  options: {
    group: {
      type: 'string',
      multiple: true,
      required: true,
      valueName: '<sg-id>',
      description: 'Security group(s) to sweep',
    },
    'dry-run': { type: 'boolean', description: 'Show what would be revoked; change nothing' },
    region: {
      type: 'string',
      valueName: '<region>',
      description: 'AWS region (default AWS_REGION)',
    },
  },
  json: true,
  async run({ values, log, json, print, printJson, clock }) {
    const groupIds = list(values.group);
    if (groupIds.length === 0) throw new UsageError('missing --group <sg-id>');
    const result = await sweep({
      groupIds,
      dryRun: Boolean(values['dry-run']),
      clock,
      ...(values.region ? { region: values.region } : {}),
    });
    if (json) {
      printJson(result);
      return 0;
    }
    const verb = result.dryRun ? 'would revoke' : 'revoked';
    for (const r of result.revoked) {
      log.info(
        `${verb} ${r.ruleId} ${r.groupId} ${r.cidr} ${r.ports} (owner ${r.owner}, expired ${r.expiresAt})`,
      );
      print(r.ruleId);
    }
    for (const k of result.kept)
      log.debug(`kept ${k.ruleId} ${k.groupId} ${k.cidr} ${k.ports}: ${k.reason}`);
    log.info(`${result.revoked.length} ${verb}, ${result.kept.length} kept`);
    return 0;
  },
});
