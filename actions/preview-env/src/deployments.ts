import type { GitHubApi } from './github-api.ts';

interface Deployment {
  id: number;
}

interface DeploymentStatus {
  state: string;
}

/** The GitHub environment a preview environment's deployments belong to. */
export function deploymentEnvironment(name: string): string {
  return `preview/${name}`;
}

const clip = (s: string) => (s.length > 140 ? `${s.slice(0, 139)}…` : s);

/**
 * Creates a deployment of `ref` to `preview/<name>` (transient, not production) and marks it
 * in progress. Returns its id.
 */
export async function startDeployment(
  api: GitHubApi,
  options: { name: string; ref: string; runUrl: string; image: string },
): Promise<number> {
  const deployment = await api.request<Deployment>('POST', '/deployments', {
    ref: options.ref,
    environment: deploymentEnvironment(options.name),
    task: 'deploy:preview',
    transient_environment: true,
    production_environment: false,
    auto_merge: false,
    required_contexts: [],
    description: clip(`Preview environment ${options.name}`),
    payload: { image: options.image },
  });
  await api.request('POST', `/deployments/${deployment.id}/statuses`, {
    state: 'in_progress',
    description: clip(`Deploying ${options.image}`),
    ...(options.runUrl ? { log_url: options.runUrl } : {}),
  });
  return deployment.id;
}

/**
 * Ends a deployment with success (and its URL) or failure. On success the environment's
 * earlier deployments are marked inactive: GitHub does that by itself only for
 * non-transient environments, and preview environments are transient.
 */
export async function finishDeployment(
  api: GitHubApi,
  id: number,
  options: { name: string; ok: boolean; url: string; runUrl: string; description: string },
): Promise<void> {
  await api.request('POST', `/deployments/${id}/statuses`, {
    state: options.ok ? 'success' : 'failure',
    description: clip(options.description),
    ...(options.ok && options.url ? { environment_url: options.url } : {}),
    ...(options.runUrl ? { log_url: options.runUrl } : {}),
    auto_inactive: false,
  });
  if (options.ok) {
    await deactivateDeployments(api, options.name, {
      except: id,
      description: 'Superseded by a newer deployment',
    });
  }
}

/**
 * Marks the environment's deployments inactive, newest first, stopping at the first one
 * already inactive: every earlier one was made inactive when that one was, so a pull
 * request with many pushes costs a few calls, not one per push.
 */
export async function deactivateDeployments(
  api: GitHubApi,
  name: string,
  options: { except?: number; description: string },
): Promise<number> {
  const environment = encodeURIComponent(deploymentEnvironment(name));
  const deployments = await api.list<Deployment>(`/deployments?environment=${environment}`, 1);
  let changed = 0;
  for (const deployment of deployments) {
    if (deployment.id === options.except) continue;
    const [latest] = await api.request<DeploymentStatus[]>(
      'GET',
      `/deployments/${deployment.id}/statuses?per_page=1`,
    );
    if (latest?.state === 'inactive') break;
    await api.request('POST', `/deployments/${deployment.id}/statuses`, {
      state: 'inactive',
      description: clip(options.description),
    });
    changed++;
  }
  return changed;
}
