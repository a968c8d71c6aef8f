import { startHttpServer } from '@berth/testkit';
import { describe, expect, it } from 'vitest';
import { GitHubApi, GitHubApiError } from './github-api.ts';

describe('GitHubApi', () => {
  it('sends the token and API version to GITHUB_API_URL and follows pagination', async () => {
    const server = await startHttpServer((req, res) => {
      const page = Number(new URL(req.url, 'http://x').searchParams.get('page') ?? 1);
      res.writeHead(200, {
        'content-type': 'application/json',
        ...(page < 3
          ? {
              link: `<http://127.0.0.1:${server.port}/api/repos/a/b/things?per_page=100&page=${page + 1}>; rel="next"`,
            }
          : {}),
      });
      res.end(JSON.stringify([page]));
    });
    const api = new GitHubApi({ token: 's3cr3t', repository: 'a/b', apiUrl: `${server.url}/api/` });
    expect(await api.list('/things')).toEqual([1, 2, 3]);
    expect(server.requests[0]?.url).toBe('/api/repos/a/b/things?per_page=100');
    expect(server.requests[0]?.headers.authorization).toBe('Bearer s3cr3t');
    expect(server.requests[0]?.headers['x-github-api-version']).toBe('2022-11-28');
    await server.close();
  });

  it('turns failures into errors with method, path, status and a permissions hint, never the token', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Resource not accessible by integration' }));
    });
    const api = new GitHubApi({ token: 's3cr3t', repository: 'a/b', apiUrl: server.url });
    const error = await api.request('POST', '/deployments', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect((error as GitHubApiError).status).toBe(403);
    expect((error as Error).message).toBe(
      'GitHub API POST /repos/a/b/deployments failed: HTTP 403 (Resource not accessible by integration); does the job grant "deployments: write"?',
    );
    expect((error as Error).message).not.toContain('s3cr3t');
    await server.close();
  });

  it('gives up on a stuck API', async () => {
    const server = await startHttpServer(() => new Promise(() => undefined));
    const api = new GitHubApi({ token: 't', repository: 'a/b', apiUrl: server.url, timeoutMs: 50 });
    await expect(api.request('GET', '/pulls/1')).rejects.toThrow(
      /GET \/repos\/a\/b\/pulls\/1 failed: no response/,
    );
    await server.close();
  });
});
