import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGitHub, startGitHubServer } from './github-server.ts';

let gh: FakeGitHub;
beforeAll(async () => {
  gh = await startGitHubServer();
});
afterAll(async () => {
  await gh.close();
});

const call = async (method: string, path: string, body?: unknown, token = gh.token) => {
  const res = await fetch(`${gh.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, link: res.headers.get('link'), body: (await res.json()) as never };
};

describe('fake GitHub REST server', () => {
  it('requires the token', async () => {
    expect((await call('GET', '/repos/berth-dev/demo/pulls/1', undefined, 'nope')).status).toBe(
      401,
    );
  });

  it('stores deployments and their statuses, newest first on read', async () => {
    const created = await call('POST', '/repos/berth-dev/demo/deployments', {
      ref: 'a'.repeat(40),
      environment: 'preview/pr-1',
      transient_environment: true,
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: number }).id;
    for (const state of ['in_progress', 'success']) {
      const s = await call('POST', `/repos/berth-dev/demo/deployments/${id}/statuses`, { state });
      expect(s.status).toBe(201);
    }
    expect(
      (await call('POST', `/repos/berth-dev/demo/deployments/${id}/statuses`, { state: 'x' }))
        .status,
    ).toBe(422);
    const statuses = await call('GET', `/repos/berth-dev/demo/deployments/${id}/statuses`);
    expect((statuses.body as Array<{ state: string }>).map((s) => s.state)).toEqual([
      'success',
      'in_progress',
    ]);
    const list = await call('GET', '/repos/berth-dev/demo/deployments?environment=preview%2Fpr-1');
    expect(list.body).toHaveLength(1);
    expect(gh.deploymentsOf('preview/pr-1')[0]?.transient_environment).toBe(true);
  });

  it('creates, lists with pagination and updates comments on known pull requests only', async () => {
    expect(
      (await call('POST', '/repos/berth-dev/demo/issues/9/comments', { body: 'x' })).status,
    ).toBe(404);
    gh.setPull({ number: 9 });
    for (let i = 0; i < 3; i++) gh.addComment(9, `human ${i}`);
    const mine = await call('POST', '/repos/berth-dev/demo/issues/9/comments', { body: 'bot' });
    expect(mine.status).toBe(201);
    const first = await call('GET', '/repos/berth-dev/demo/issues/9/comments?per_page=2');
    expect(first.body).toHaveLength(2);
    expect(first.link).toMatch(/page=2/);
    const id = (mine.body as { id: number }).id;
    expect(
      (await call('PATCH', `/repos/berth-dev/demo/issues/comments/${id}`, { body: 'b2' })).status,
    ).toBe(200);
    const human = gh.comments.find((c) => c.body === 'human 0');
    expect(
      (await call('PATCH', `/repos/berth-dev/demo/issues/comments/${human?.id}`, { body: 'x' }))
        .status,
    ).toBe(403);
    expect(gh.comments.filter((c) => c.issue_number === 9).map((c) => c.body)).toEqual([
      'human 0',
      'human 1',
      'human 2',
      'b2',
    ]);
  });

  it('takes reactions on comments, one of a kind per user, and comments on plain issues', async () => {
    gh.setIssue(300);
    const posted = await call('POST', '/repos/berth-dev/demo/issues/300/comments', { body: 'hi' });
    expect(posted.status).toBe(201);
    const id = (posted.body as { id: number }).id;
    const path = `/repos/berth-dev/demo/issues/comments/${id}/reactions`;
    expect((await call('POST', path, { content: 'eyes' })).status).toBe(201);
    expect((await call('POST', path, { content: 'eyes' })).status).toBe(200);
    expect((await call('POST', path, { content: 'thumbs' })).status).toBe(422);
    expect((await call('POST', path, { content: '+1' })).status).toBe(201);
    expect(gh.reactionsOn(id).map((r) => r.content)).toEqual(['eyes', '+1']);
    expect(
      (await call('POST', '/repos/berth-dev/demo/issues/comments/1/reactions', { content: '+1' }))
        .status,
    ).toBe(404);
  });

  it('answers pulls and injects faults', async () => {
    gh.setPull({ number: 3, state: 'closed' });
    expect(
      ((await call('GET', '/repos/berth-dev/demo/pulls/3')).body as { state: string }).state,
    ).toBe('closed');
    expect((await call('GET', '/repos/berth-dev/demo/pulls/404')).status).toBe(404);
    expect((await call('GET', '/repos/other/repo/pulls/3')).status).toBe(404);
    const stop = gh.fail({ method: 'GET', path: /\/pulls\//, status: 502, times: 1 });
    expect((await call('GET', '/repos/berth-dev/demo/pulls/3')).status).toBe(502);
    expect((await call('GET', '/repos/berth-dev/demo/pulls/3')).status).toBe(200);
    stop();
    expect(gh.requestsTo('GET', /\/pulls\/3$/)).toHaveLength(4);
  });
});
