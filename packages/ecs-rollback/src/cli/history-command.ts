import { defineCommand } from '@berth/internal';
import { history } from '../history.ts';
import { historyTable } from './format.ts';
import { positiveInt, SERVICE_OPTIONS, serviceArgs } from './options.ts';

/** `ecs-rollback history`. */
export const historyCommand = defineCommand({
  name: 'history',
  summary: "List the service's versions, newest first, with images and deployment outcomes",
  usage: 'history --cluster C --service S [--limit 20] [--skip-image-check] [--json]',
  json: true,
  options: {
    ...SERVICE_OPTIONS,
    limit: {
      type: 'string',
      default: '20',
      description: 'Most versions to list',
      valueName: '<n>',
    },
    'skip-image-check': {
      type: 'boolean',
      description: "Do not look up in ECR whether each revision's images still exist",
    },
  },
  async run({ values, json, print, printJson, clock }) {
    const result = await history({
      ...serviceArgs(values),
      clock,
      limit: positiveInt(values.limit, '--limit'),
      ...(values['skip-image-check'] ? { skipImageCheck: true } : {}),
    });
    if (json) printJson(result);
    else for (const line of historyTable(result)) print(line);
    return 0;
  },
});
