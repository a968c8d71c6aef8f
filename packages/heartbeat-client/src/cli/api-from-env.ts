import { maskToken } from '@berth/internal';
import { HealthchecksApi } from '../api-client.ts';
import type { Check } from '../api-types.ts';
import { maskPingUrl, maskSecrets } from '../ping-target.ts';

/** The `--api-url` option shared by the management commands. */
export const API_URL_OPTION = {
  'api-url': {
    type: 'string',
    valueName: '<url>',
    description: 'Management API base (default $HC_API_URL, else https://healthchecks.io/api/v3/)',
  },
} as const;

/**
 * A Management API client from `HC_API_KEY` and `--api-url` / `HC_API_URL`; `signal` (the
 * command's) stops its requests when the CLI receives SIGINT, SIGTERM or SIGHUP.
 */
export function apiFromEnv(
  env: NodeJS.ProcessEnv,
  apiUrl: string | undefined,
  signal: AbortSignal,
): HealthchecksApi {
  const url = apiUrl ?? (env.HC_API_URL?.trim() || undefined);
  return new HealthchecksApi({
    apiKey: env.HC_API_KEY?.trim() ?? '',
    ...(url ? { apiUrl: url } : {}),
    signal,
  });
}

/** A check for printing: its UUID and every URL that holds it masked. */
export function redactCheck(check: Check): Check {
  const copy: Check = { ...check };
  const uuid = check.uuid;
  if (uuid !== undefined) copy.uuid = maskToken(uuid);
  if (check.ping_url !== undefined) copy.ping_url = maskPingUrl(check.ping_url);
  for (const key of ['update_url', 'pause_url', 'resume_url'] as const) {
    const v = check[key];
    if (v !== undefined && uuid !== undefined) copy[key] = maskSecrets(v, [uuid]);
  }
  return copy;
}
