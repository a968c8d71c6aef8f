import { formatDuration } from '@berth/internal';
import type { ResolvedClients } from './clients.ts';
import type { PreviewEnvConfig } from './config.ts';
import { PreviewEnvError } from './errors.ts';
import { listEnvironmentsWith } from './list.ts';

/**
 * The error for a full load balancer, listing the environments idle longest so the user
 * knows what to delete (`preview-env delete <name>` or `preview-env sweep`).
 */
export async function capacityError(
  what: 'rules' | 'target groups' | 'rule priorities',
  used: number,
  limit: number,
  config: PreviewEnvConfig,
  clients: ResolvedClients,
  now: number,
): Promise<PreviewEnvError> {
  let idle: { name: string; idleMs: number }[] = [];
  try {
    const envs = await listEnvironmentsWith(config, clients, now);
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
      : `${used} of ${limit} ${what} of the load balancer are used (quota ${what === 'rules' ? 'maxRules' : 'maxTargetGroups'}: ${limit})`;
  return new PreviewEnvError(
    'E_CAPACITY',
    `no room for another environment: ${quota}${list}; delete some (preview-env delete <name>, preview-env sweep) or raise the quota`,
    { step: 'capacity check', resource: config.listenerArn, idleEnvironments: idle },
  );
}
