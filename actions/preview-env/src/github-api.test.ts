import type { Clock } from '@berth/internal';
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
    const api = new GitHubApi({
      token: 't',
      repository: 'a/b',
      apiUrl: server.url,
      timeoutMs: 50,
      clock: fakeClock(0, []),
    });
    await expect(api.request('GET', '/pulls/1')).rejects.toThrow(
      /GET \/repos\/a\/b\/pulls\/1 failed: no response/,
    );
    await server.close();
  });

  it('waits as GitHub asks after a rate limit, then succeeds', async () => {
    let calls = 0;
    const server = await startHttpServer((_req, res) => {
      calls++;
      if (calls === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
        res.end(JSON.stringify({ message: 'You have exceeded a secondary rate limit' }));
        return;
      }
      if (calls === 2) {
        res.writeHead(403, {
          'content-type': 'application/json',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': '1700000030',
        });
        res.end(JSON.stringify({ message: 'API rate limit exceeded for installation' }));
        return;
      }
      res.writeHead(201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: 5 }));
    });
    const api = new GitHubApi({
      token: 't',
      repository: 'a/b',
      apiUrl: server.url,
      clock: fakeClock(1_700_000_000_000, sleeps),
    });
    sleeps.length = 0;
    // A rate-limited POST was not applied, so it is safe to send again.
    expect(await api.request('POST', '/issues/1/comments', { body: 'x' })).toEqual({ id: 5 });
    // The primary limit resets 30 s after the start, 23 s after the first wait; plus a second.
    expect(sleeps).toEqual([7000, 24_000]);
    expect(calls).toBe(3);
    await server.close();
  });

  it('says "rate limited" (not a permission hint) and gives up when the wait is too long', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(403, {
        'content-type': 'application/json',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '1700003600',
      });
      res.end(JSON.stringify({ message: 'API rate limit exceeded' }));
    });
    sleeps.length = 0;
    const api = new GitHubApi({
      token: 't',
      repository: 'a/b',
      apiUrl: server.url,
      clock: fakeClock(1_700_000_000_000, sleeps),
    });
    const error = (await api.request('POST', '/deployments', {}).catch((e: unknown) => e)) as
      | GitHubApiError
      | undefined;
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error?.rateLimited).toBe(true);
    expect(error?.message).toBe(
      'GitHub API POST /repos/a/b/deployments failed: HTTP 403 (API rate limit exceeded); rate limited until 2023-11-14T23:13:20.000Z, try again later',
    );
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    await server.close();
  });

  it('repeats a GET after a 5xx once, never a POST that may have been applied', async () => {
    const server = await startHttpServer((_req, res) => {
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'Server Error' }));
    });
    sleeps.length = 0;
    const api = new GitHubApi({
      token: 't',
      repository: 'a/b',
      apiUrl: server.url,
      clock: fakeClock(0, sleeps),
    });
    await expect(api.request('GET', '/pulls/1')).rejects.toThrow(/HTTP 502/);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET']);
    await expect(api.request('POST', '/issues/1/comments', { body: 'x' })).rejects.toThrow(
      /HTTP 502/,
    );
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'GET', 'POST']);
    expect(sleeps).toEqual([1000]);
    await server.close();
  });
});

const sleeps: number[] = [];

function fakeClock(start: number, record: number[]): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      record.push(ms);
      now += ms;
    },
  };
}
