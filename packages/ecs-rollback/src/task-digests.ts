import {
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Task,
} from '@aws-sdk/client-ecs';
import { chunk, paginate } from '@berth/internal';
import { awsCall } from './ecs-client.ts';
import { addDigest, type KnownDigests } from './task-definitions.ts';

/**
 * The service's tasks with `desiredStatus`, described (at most `max`, newest pages first).
 * ListTasks returns up to 100 ARNs a page and DescribeTasks takes up to 100.
 */
export async function listServiceTasks(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  desiredStatus: 'RUNNING' | 'STOPPED',
  options: { max?: number; skip?: ReadonlySet<string> } = {},
): Promise<Task[]> {
  const max = options.max ?? 100;
  const arns: string[] = [];
  const pages = paginate(async (token) => {
    const out = await awsCall('ListTasks', () =>
      ecs.send(
        new ListTasksCommand({
          cluster,
          serviceName,
          desiredStatus,
          maxResults: 100,
          ...(token ? { nextToken: token } : {}),
        }),
      ),
    );
    return { items: out.taskArns ?? [], next: out.nextToken };
  });
  for await (const arn of pages) {
    if (!options.skip?.has(arn)) arns.push(arn);
    if (arns.length >= max) break;
  }
  const wanted = arns.slice(0, max);
  const tasks: Task[] = [];
  for (const batch of chunk(wanted, 100)) {
    const out = await awsCall('DescribeTasks', () =>
      ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
    );
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

/** Digests ECS resolved for the images the service's running tasks run. */
export async function runningTaskDigests(
  ecs: ECSClient,
  cluster: string,
  serviceName: string,
  into: KnownDigests,
): Promise<void> {
  const tasks = await listServiceTasks(ecs, cluster, serviceName, 'RUNNING');
  for (const task of tasks) {
    for (const c of task.containers ?? []) {
      addDigest(into, task.taskDefinitionArn, c.name, c.imageDigest);
    }
  }
}
