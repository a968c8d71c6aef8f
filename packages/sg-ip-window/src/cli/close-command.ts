import { defineCommand, UsageError } from '@berth/internal';
import { closeRules } from '../close-rules.ts';
import { checkGroupIds, checkRuleIds, describeRules, withEc2 } from '../ec2-rules.ts';
import { SgIpWindowError } from '../errors.ts';
import { checkOwner } from '../tags.ts';
import { logClosed } from './report.ts';
import { list } from './window-options.ts';

/** `sg-ip-window close`: close rules by id. */
export const closeCommand = defineCommand({
  name: 'close',
  summary: 'Close rules opened by open: release this holder, revoke when no one else holds them',
  usage: 'close --group <sg-id> --rule-id <sgr-...>... [--owner <name>] [--json]',
  description: `A rule already gone counts as closed. A rule without sg-ip-window tags is never
touched (exit 1). --owner must match the one open used (the default is the same).`,
  options: {
    group: {
      type: 'string',
      multiple: true,
      required: true,
      valueName: '<sg-id>',
      description: 'Security group(s) of the rules',
    },
    'rule-id': {
      type: 'string',
      multiple: true,
      required: true,
      valueName: '<sgr-id>',
      description: 'Rule(s) to close',
    },
    owner: {
      type: 'string',
      valueName: '<name>',
      description: 'Holder whose hold is released (default as for open)',
    },
    region: {
      type: 'string',
      valueName: '<region>',
      description: 'AWS region (default AWS_REGION)',
    },
  },
  json: true,
  async run({ values, io, log, json, printJson, print, clock }) {
    const groupIds = list(values.group);
    if (groupIds.length === 0) throw new UsageError('missing --group <sg-id>');
    const ruleIds = list(values['rule-id']);
    if (ruleIds.length === 0) throw new UsageError('missing --rule-id <sgr-id>');
    checkGroupIds(groupIds);
    checkRuleIds(ruleIds);
    const owner = values.owner === undefined ? undefined : checkOwner(values.owner, '--owner');
    const aws = { ...(values.region ? { region: values.region } : {}) };
    const result = await withEc2(aws, async (ec2) => {
      // A rule id alone does not say its group; with one group it is that one, otherwise look.
      let groupOf = (_id: string): string => groupIds[0] as string;
      if (groupIds.length > 1) {
        const found = await describeRules(ec2, [
          { Name: 'security-group-rule-id', Values: ruleIds },
        ]);
        groupOf = (id) => {
          const g = found.find((r) => r.SecurityGroupRuleId === id)?.GroupId;
          return g && groupIds.includes(g) ? g : (groupIds[0] as string);
        };
      }
      return closeRules({
        rules: ruleIds.map((ruleId) => ({ ruleId, groupId: groupOf(ruleId) })),
        clients: { ec2 },
        env: io.env,
        clock,
        ...(owner ? { owner } : {}),
      });
    });
    if (json) printJson(result);
    else {
      logClosed(log, result);
      for (const r of [...result.revoked, ...result.alreadyClosed]) print(r.ruleId);
    }
    if (result.notOurs.length > 0) {
      const list = result.notOurs.map((r) => `${r.ruleId} (${r.reason})`).join(', ');
      throw new SgIpWindowError('E_NOT_OURS', `left alone, not closed by this tool: ${list}`);
    }
    return 0;
  },
});
