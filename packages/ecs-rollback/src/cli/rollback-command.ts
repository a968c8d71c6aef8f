import { defineCommand } from '@berth/internal';
import { planRollback } from '../plan.ts';
import { rollback } from '../rollback.ts';
import { parseRollbackTo } from '../target.ts';
import { planLines, rollbackLines } from './format.ts';
import {
  logEvent,
  positiveInt,
  SERVICE_OPTIONS,
  serviceArgs,
  WAIT_OPTIONS,
  waitArgs,
} from './options.ts';

/** Exit code of a rollback or watch status: 0 when it went well, 1 when the deployment did not. */
export function statusExitCode(status: string): number {
  return status === 'succeeded' || status === 'started' || status === 'dry-run' ? 0 : 1;
}

/** `ecs-rollback [--to ...]`: the default command. */
export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'Roll the service back to the previous good version, an image tag, or a revision',
  usage:
    '--cluster C --service S [--to previous|<tag>|<revision>|<arn>] [--container NAME] [--register] [--no-wait] [--timeout 15m] [--deregister-failed] [--skip-image-check] [--dry-run] [--json]',
  description: `Shows what will change (from -> to, images) before doing it. --to takes:
  previous         the last version before the current one that deployed successfully (default)
  <tag>            an image tag; the newest ACTIVE revision running it is reused (tag:1234 for numeric tags)
  sha256:<hex>     an image digest
  <repo>:<tag>     a full image reference
  <revision>       a revision number of the service's task definition family
  <family>:<rev>   a task definition, or its full ARN
Before changing anything, every ECR image of the target is looked up (ecr:DescribeImages):
a revision whose image is gone is never chosen (--skip-image-check to allow it). While the
current deployment is still in progress, ECS is asked to roll it back itself
(StopServiceDeployment); UpdateService is used otherwise, and whenever ECS refuses.
Exit codes: 0 rolled back (or started, with --no-wait; or a dry run), 1 the rollback deployment
failed, was rolled back or timed out (the cause is printed), 2 usage or bad input,
3 nothing to roll back to (also: the target's image is gone).`,
  json: true,
  options: {
    ...SERVICE_OPTIONS,
    to: {
      type: 'string',
      description: 'Target: previous (default), tag, digest, image, revision or ARN',
      valueName: '<target>',
    },
    container: {
      type: 'string',
      description: 'Container whose image --to names (when there are several)',
      valueName: '<name>',
    },
    register: {
      type: 'boolean',
      description:
        'Register a new revision when no ACTIVE one fits (tag not found, INACTIVE target)',
    },
    'no-wait': { type: 'boolean', description: 'Return once ECS accepted the update' },
    ...WAIT_OPTIONS,
    'deregister-failed': {
      type: 'boolean',
      description: 'Deregister the revision rolled back from, once the rollback succeeded',
    },
    'dry-run': { type: 'boolean', description: 'Show the plan; change nothing' },
    'search-limit': {
      type: 'string',
      default: '100',
      description: 'ACTIVE revisions a tag lookup examines, newest first',
      valueName: '<n>',
    },
    'skip-image-check': {
      type: 'boolean',
      description: 'Do not check in ECR that the target images still exist',
    },
    'allow-other-family': {
      type: 'boolean',
      description: 'Allow --to a task definition of another family, account or region',
    },
  },
  async run({ values, json, print, printJson, log, signal, clock }) {
    const where = serviceArgs(values);
    const wait = waitArgs(values);
    if (values.to !== undefined) parseRollbackTo(values.to, '--to');
    const plan = await planRollback({
      ...where,
      clock,
      ...(values.to !== undefined ? { to: values.to } : {}),
      ...(values.container !== undefined ? { container: values.container } : {}),
      ...(values.register ? { register: true } : {}),
      searchLimit: positiveInt(values['search-limit'], '--search-limit'),
      ...(values['skip-image-check'] ? { skipImageCheck: true } : {}),
      ...(values['allow-other-family'] ? { allowOtherFamily: true } : {}),
    });
    if (!json) for (const line of planLines(plan)) print(line);
    if (!values['dry-run']) log.info(`rolling back ${plan.service}...`);
    const result = await rollback(plan, {
      ...where,
      ...wait,
      wait: !values['no-wait'],
      deregisterFailed: Boolean(values['deregister-failed']),
      dryRun: Boolean(values['dry-run']),
      onEvent: logEvent(log),
      signal,
      clock,
    });
    if (json) printJson(result);
    else for (const line of rollbackLines(result)) print(line);
    return statusExitCode(result.status);
  },
});
