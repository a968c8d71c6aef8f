import {
  BatchGetSecretValueCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { chunk, mapLimit, paginate } from '@berth/internal';
import {
  batchFailureNamesOneSecret,
  batchUnavailable,
  failureFromAws,
  failureFromError,
} from './aws-failure.ts';
import type { SecretFailure } from './errors.ts';
import { matchesSecret, sameSecretId } from './secret-id.ts';
import { type SecretValue, toSecretValue } from './secret-value.ts';

/** One secret to read: by name or ARN, optionally pinned to a stage or version id. */
export interface FetchRequest {
  secretId: string;
  versionStage?: string;
  versionId?: string;
}

/** The value of one secret, or why it could not be read. */
export type FetchResult = { ok: true; value: SecretValue } | { ok: false; failure: SecretFailure };

/** BatchGetSecretValue takes at most 20 ids per call. */
export const BATCH_SIZE = 20;
/** Batch calls in flight at once (the BatchGetSecretValue quota is 100 per second). */
const BATCH_CONCURRENCY = 4;
/** GetSecretValue calls in flight at once (its quota is 10,000 per second). */
const GET_CONCURRENCY = 16;

/**
 * Reads secrets with as few round trips as possible: BatchGetSecretValue in chunks of 20
 * (in parallel), GetSecretValue for pinned versions (the batch call takes no version), for
 * everything when the batch call is denied or not available, and for a chunk whose whole
 * call failed because of one of its secrets (so the failure names it). Never throws: each
 * request gets a value or a failure, in request order.
 */
export async function fetchSecrets(
  client: SecretsManagerClient,
  requests: readonly FetchRequest[],
  log: (message: string) => void = () => undefined,
  signal?: AbortSignal,
): Promise<FetchResult[]> {
  const results = new Map<string, FetchResult>();
  const keyOf = (r: FetchRequest) =>
    JSON.stringify([r.secretId, r.versionStage ?? null, r.versionId ?? null]);
  const pinned = new Map<string, FetchRequest>();
  const current = new Set<string>();
  for (const r of requests) {
    if (r.versionStage === undefined && r.versionId === undefined) current.add(r.secretId);
    else pinned.set(keyOf(r), r);
  }

  const getOne = async (r: FetchRequest): Promise<void> => {
    results.set(keyOf(r), await getSecretValue(client, r, signal));
  };

  const chunks = chunk([...current], BATCH_SIZE);
  let batchOff = false;
  const batchWork = mapLimit(chunks, BATCH_CONCURRENCY, async (chunk) => {
    if (!batchOff) {
      try {
        const got = await batchGet(client, chunk, signal);
        for (const [id, result] of got) results.set(keyOf({ secretId: id }), result);
        log(`BatchGetSecretValue: ${chunk.length} secret(s) in one call`);
        return;
      } catch (error) {
        if (chunk.length > 1 && batchFailureNamesOneSecret(error)) {
          // One bad id fails the whole call: read this chunk one by one to name it.
          log(
            `BatchGetSecretValue failed for the whole chunk (${failureFromError('', error).reason}); reading its ${chunk.length} secrets one by one`,
          );
          await mapLimit(chunk, GET_CONCURRENCY, (secretId) => getOne({ secretId }));
          return;
        }
        if (!batchUnavailable(error)) {
          for (const id of chunk) {
            results.set(keyOf({ secretId: id }), {
              ok: false,
              failure: failureFromError(id, error),
            });
          }
          return;
        }
        if (!batchOff) {
          log(
            `BatchGetSecretValue is denied or not available (${failureFromError('', error).reason}); falling back to GetSecretValue per secret`,
          );
        }
        batchOff = true;
      }
    }
    await mapLimit(chunk, GET_CONCURRENCY, (secretId) => getOne({ secretId }));
  });
  const pinnedWork = mapLimit([...pinned.values()], GET_CONCURRENCY, async (r) => {
    await getOne(r);
    log(
      `GetSecretValue: ${r.secretId} (${r.versionId ? `version ${r.versionId}` : `stage ${r.versionStage}`})`,
    );
  });
  await Promise.all([batchWork, pinnedWork]);

  return requests.map(
    (r) =>
      results.get(keyOf(r)) ?? {
        ok: false,
        failure: { secretId: r.secretId, code: 'E_AWS', reason: 'no answer for this secret' },
      },
  );
}

/** One BatchGetSecretValue chunk, following NextToken; throws when the whole call fails. */
async function batchGet(
  client: SecretsManagerClient,
  ids: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Map<string, FetchResult>> {
  const out = new Map<string, FetchResult>();
  // Each page is one item: its values and its errors are read together.
  const pages = paginate(async (token) => {
    const page = await client.send(
      new BatchGetSecretValueCommand({
        SecretIdList: [...ids],
        ...(token ? { NextToken: token } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    return { items: [page], next: page.NextToken || undefined };
  });
  for await (const page of pages) {
    for (const entry of page.SecretValues ?? []) {
      for (const id of ids) {
        const value = toSecretValue(entry, id);
        if (matchesSecret(id, value)) out.set(id, { ok: true, value });
      }
    }
    for (const error of page.Errors ?? []) {
      // The entry names the secret as requested; match an ARN against a name (and back)
      // too, so the reason reaches the id the caller gave.
      const reported = error.SecretId;
      if (reported === undefined) continue;
      const id =
        ids.find((i) => i === reported) ?? ids.find((i) => sameSecretId(i, reported)) ?? reported;
      if (out.has(id)) continue;
      out.set(id, {
        ok: false,
        failure: failureFromAws(id, error.ErrorCode ?? 'UnknownError', error.Message),
      });
    }
  }
  for (const id of ids) {
    if (!out.has(id)) {
      out.set(id, {
        ok: false,
        failure: {
          secretId: id,
          code: 'E_AWS',
          reason: 'BatchGetSecretValue returned neither a value nor an error for it',
        },
      });
    }
  }
  return out;
}

/** One GetSecretValue call; never throws. */
export async function getSecretValue(
  client: SecretsManagerClient,
  request: FetchRequest,
  signal?: AbortSignal,
): Promise<FetchResult> {
  try {
    const got = await client.send(
      new GetSecretValueCommand({
        SecretId: request.secretId,
        ...(request.versionStage === undefined ? {} : { VersionStage: request.versionStage }),
        ...(request.versionId === undefined ? {} : { VersionId: request.versionId }),
      }),
      signal ? { abortSignal: signal } : {},
    );
    return { ok: true, value: toSecretValue(got, request.secretId) };
  } catch (error) {
    return { ok: false, failure: failureFromError(request.secretId, error) };
  }
}
