import { defineCommand, maskToken, UsageError } from '@berth/internal';
import type { CheckRef } from '../api-types.ts';
import { API_URL_OPTION, apiFromEnv, redactCheck } from './api-from-env.ts';

/** `heartbeat deregister`: deletes a check (scale-in). */
export const deregisterCommand = defineCommand({
  name: 'deregister',
  summary: 'Delete a check (by UUID, slug or name); a missing check is fine',
  usage: 'deregister (--uuid U | --slug S | --name N) [--all] [--json]',
  description: `Idempotent: when no check matches, it notes so and exits 0. A slug or name matching
several checks is an error unless --all. Needs HC_API_KEY (read-write).`,
  options: {
    uuid: { type: 'string', valueName: '<uuid>', description: "The check's UUID" },
    slug: { type: 'string', valueName: '<slug>', description: "The check's slug" },
    name: { type: 'string', valueName: '<name>', description: "The check's name (exact)" },
    all: { type: 'boolean', description: 'Delete every check the slug or name matches' },
    ...API_URL_OPTION,
  },
  json: true,
  async run({ values, io, log, json, printJson, signal }) {
    const given = (['uuid', 'slug', 'name'] as const).filter((k) => values[k] !== undefined);
    if (given.length !== 1) {
      throw new UsageError(
        given.length === 0
          ? 'give --uuid, --slug or --name'
          : `give only one of ${given.map((k) => `--${k}`).join(', ')}`,
      );
    }
    const key = given[0] as 'uuid' | 'slug' | 'name';
    const ref = { [key]: values[key] as string } as CheckRef;
    const what =
      key === 'uuid' ? `uuid ${maskToken(values.uuid as string)}` : `${key} "${values[key]}"`;
    const api = apiFromEnv(io.env, values['api-url'], signal);
    const result = await api.deregister(ref, { all: Boolean(values.all) });
    if (result.missing) log.info(`no check with ${what}: nothing to delete`);
    for (const c of result.deleted)
      log.info(`deleted check "${c.name}" (uuid ${maskToken(c.uuid ?? '')})`);
    if (json) printJson({ missing: result.missing, deleted: result.deleted.map(redactCheck) });
    return 0;
  },
});
