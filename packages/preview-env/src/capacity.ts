import { formatDuration } from '@berth/internal';
import type { OperationContext } from './context.ts';
import { PreviewEnvError } from './errors.ts';
import { listWith } from './list.ts';

/**
 * The error for a full load balancer, listing the environments idle longest so the user
 * knows what to delete (`preview-env delete <name>` or `preview-env sweep`).
 */
export async function capacityError(
  what: 'rules' | 'target groups' | 'rule priorities',
  used: number,
  limit: number,
  ctx: OperationContext,
): Promise<PreviewEnvError> {
  const { config } = ctx;
  let idle: { name: string; idleMs: number }[] = [];
  try {
    const envs = await listWith(ctx);
    idle = envs
      .map((e) => ({ name: e.name, idleMs: e.idleMs ?? 0 }))
      .sort((a, b) => b.idleMs - a.idleMs)
      .slice(0, 5);
  } catch {
    // the list is a courtesy: the capacity error stands without it
  }
  const list = idle.length
    ? `; idle longest: ${idle.map((e) => `${e.name} (${formatDuration(e.idleMs)})`).join(', ')}`
    : '';
  const quota =
    what === 'rule priorities'
      ? `every priority between ${config.priorityMin} and ${config.priorityMax} is taken`
      : `${used} of ${limit} ${what} of the load balancer are used (quota ${what === 'rules' ? 'maxRules' : 'maxTargetGroups'}: ${limit})${
          config.listenerArns.length > 1
            ? `, and every other load balancer of the pool (${config.listenerArns.length} listeners) is as full`
            : ''
        }`;
  return new PreviewEnvError(
    'E_CAPACITY',
    `no room for another environment: ${quota}${list}; delete some (preview-env delete <name>, preview-env sweep) or raise the quota`,
    { step: 'capacity check', resource: config.listenerArn, idleEnvironments: idle },
  );
}
