import { defineCommand } from '@berth/internal';
import { history } from '../history.ts';
import { historyTable } from './format.ts';
import { positiveInt, SERVICE_OPTIONS, serviceArgs } from './options.ts';

/** `ecs-rollback history`. */
export const historyCommand = defineCommand({
  name: 'history',
  summary: "List the service's versions, newest first, with images and deployment outcomes",
  usage: 'history --cluster C --service S [--limit 20] [--json]',
  json: true,
  options: {
    ...SERVICE_OPTIONS,
    limit: { type: 'string', description: 'Most versions to list (default 20)', valueName: '<n>' },
  },
  async run({ values, json, print, printJson }) {
    const result = await history({
      ...serviceArgs(values),
      ...(values.limit !== undefined ? { limit: positiveInt(values.limit, '--limit') } : {}),
    });
    if (json) printJson(result);
    else for (const line of historyTable(result)) print(line);
    return 0;
  },
});
