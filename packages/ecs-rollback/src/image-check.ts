import {
  DescribeImagesCommand,
  type DescribeImagesCommandInput,
  ECRClient,
  type ImageIdentifier,
} from '@aws-sdk/client-ecr';
import { abortable, awsErrorInfo, mapLimit, withClients } from '@berth/internal';
import { awsOptions } from './ecs-client.ts';
import { parseImage } from './image.ts';
import type { ContainerImageInfo, EcsRollbackOptions, TaskDefinitionVersion } from './types.ts';

/**
 * What the registry says about one container's image:
 * - `present`: the image (by digest, or the tag pointing at the digest that ran) exists.
 * - `missing`: the tag or digest no longer exists in the repository (deleted, e.g. by a
 *   lifecycle policy): ECS would fail with CannotPullContainerError.
 * - `repository-missing`: the repository itself is gone.
 * - `tag-moved`: the tag exists but now points at another digest than the one that ran: a
 *   rollback would run a different image.
 * - `not-checked`: not an ECR image (Docker Hub, GHCR, ECR Public, ...), or the check was skipped.
 * - `unknown`: ECR could not be asked (access denied, throttled, ...): see `detail`.
 */
export type ImageState =
  | 'present'
  | 'missing'
  | 'repository-missing'
  | 'tag-moved'
  | 'not-checked'
  | 'unknown';

/** The registry's answer for one container of a revision. */
export interface ImageCheck {
  container: string;
  image: string;
  state: ImageState;
  /** One line: what was asked and what the registry answered. */
  detail: string;
  /** The digest the tag points at now, when ECR answered. */
  currentDigest?: string;
}

/** True for states where ECS could not pull the image. */
export function imageGone(state: ImageState): boolean {
  return state === 'missing' || state === 'repository-missing';
}

/** Where an ECR image lives, from `<account>.dkr.ecr.<region>.amazonaws.com/<repo>[:tag|@digest]`. */
export interface EcrLocation {
  registryId: string;
  region: string;
  repositoryName: string;
  tag?: string;
  digest?: string;
}

const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The ECR registry, region and repository of an image, or undefined for other registries. */
export function ecrLocation(image: string): EcrLocation | undefined {
  const ref = parseImage(image);
  const slash = ref.repository.indexOf('/');
  if (slash < 0) return undefined;
  const m = ECR_HOST.exec(ref.repository.slice(0, slash));
  if (!m) return undefined;
  return {
    registryId: m[1] as string,
    region: m[2] as string,
    repositoryName: ref.repository.slice(slash + 1),
    ...(ref.tag ? { tag: ref.tag } : {}),
    ...(ref.digest ? { digest: ref.digest } : {}),
  };
}

const CONCURRENCY = 5;

/**
 * Asks ECR (DescribeImages) whether the images of task definition revisions still exist:
 * by digest when the reference pins one, else by tag, comparing the tag's digest with the one
 * ECS resolved when the revision ran (when known). Each call uses a client of the image's
 * region (the injected `clients.ecr` for every region), released after it; answers are cached
 * per image.
 */
export class ImageChecker {
  readonly #options: EcsRollbackOptions;
  readonly #cache = new Map<string, Promise<Omit<ImageCheck, 'container'>>>();

  constructor(options: EcsRollbackOptions) {
    this.#options = options;
  }

  /** Checks every container of `version`. */
  check(version: Pick<TaskDefinitionVersion, 'containers'>): Promise<ImageCheck[]> {
    return mapLimit(version.containers, CONCURRENCY, async (c) => ({
      container: c.container,
      ...(await this.checkImage(c)),
    }));
  }

  /** Checks one container's image (with the digest it ran, when known). */
  checkImage(
    c: Pick<ContainerImageInfo, 'image' | 'digest'>,
  ): Promise<Omit<ImageCheck, 'container'>> {
    const key = `${c.image}\n${c.digest ?? ''}`;
    let hit = this.#cache.get(key);
    if (!hit) {
      hit = this.#load(c.image, c.digest);
      this.#cache.set(key, hit);
    }
    return hit;
  }

  #describe(region: string, input: DescribeImagesCommandInput) {
    const options = this.#options;
    return withClients(
      { ecr: ECRClient },
      { ...awsOptions(options), region, clients: { ecr: options.clients?.ecr } },
      ({ ecr }) => abortable(ecr, options.signal).send(new DescribeImagesCommand(input)),
    );
  }

  async #load(
    image: string,
    ranDigest: string | undefined,
  ): Promise<Omit<ImageCheck, 'container'>> {
    const where = ecrLocation(image);
    if (!where) {
      return { image, state: 'not-checked', detail: 'not an Amazon ECR image: not checked' };
    }
    const repo = `${where.registryId}/${where.repositoryName} (${where.region})`;
    const imageId: ImageIdentifier = where.digest
      ? { imageDigest: where.digest }
      : { imageTag: where.tag ?? 'latest' };
    const asked = where.digest ? `digest ${where.digest.slice(0, 19)}…` : `tag ${imageId.imageTag}`;
    try {
      const out = await this.#describe(where.region, {
        registryId: where.registryId,
        repositoryName: where.repositoryName,
        imageIds: [imageId],
      });
      const found = out.imageDetails?.[0];
      const now = found?.imageDigest;
      if (!found) {
        return { image, state: 'missing', detail: `${asked} not found in ${repo}` };
      }
      if (!where.digest && ranDigest && now && now !== ranDigest) {
        return {
          image,
          state: 'tag-moved',
          detail: `tag ${imageId.imageTag} now points at ${now.slice(0, 19)}…, not ${ranDigest.slice(0, 19)}… which ran`,
          currentDigest: now,
        };
      }
      return {
        image,
        state: 'present',
        detail: `${asked} exists in ${repo}`,
        ...(now ? { currentDigest: now } : {}),
      };
    } catch (error) {
      if (this.#options.signal?.aborted) throw error;
      const info = awsErrorInfo(error);
      if (info.code === 'ImageNotFoundException') {
        return { image, state: 'missing', detail: `${asked} no longer exists in ${repo}` };
      }
      if (info.code === 'RepositoryNotFoundException') {
        return { image, state: 'repository-missing', detail: `repository ${repo} does not exist` };
      }
      const hint = /AccessDenied|Unauthorized/.test(info.code)
        ? ' (grant ecr:DescribeImages on the repository)'
        : '';
      return {
        image,
        state: 'unknown',
        detail: `could not check: ecr:DescribeImages failed: ${info.code}: ${info.message}${hint}`,
      };
    }
  }
}

/** One line per checked container, for messages: `web=repo:v1 (missing: ...)`. */
export function describeChecks(
  checks: readonly ImageCheck[],
  states?: readonly ImageState[],
): string {
  return checks
    .filter((c) => !states || states.includes(c.state))
    .map((c) => `${c.container}=${c.image} (${c.state}: ${c.detail})`)
    .join('; ');
}
