import { type FakeGitHub, startGitHubServer } from '@berth/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubApi } from './github-api.ts';
import { code } from './markdown.ts';
import { commentMarker, renderComment, upsertComment } from './pr-comment.ts';

let gh: FakeGitHub;
let api: GitHubApi;
beforeAll(async () => {
  gh = await startGitHubServer();
  api = new GitHubApi({ token: gh.token, repository: gh.repository, apiUrl: gh.url });
});
afterAll(() => gh.close());

const at = new Date('2025-03-04T05:06:07Z');

describe('code spans', () => {
  it('cannot be broken out of', () => {
    expect(code('a`b')).toBe('``a`b``');
    expect(code('`x`')).toBe('`` `x` ``');
    expect(code('a|b\nc')).toBe('`a\\|b c`');
  });
});

describe('renderComment', () => {
  it('shows URL, image, status and time behind the marker', () => {
    const body = renderComment('pr-7', {
      status: 'running',
      url: 'https://pr-7.preview.example.com',
      image: 'app:`$(id)`',
      sha: 'ffac537e6cbbf934b08745a378932722df287a53',
      at,
      runUrl: 'https://github.com/acme/shop/actions/runs/1',
    });
    expect(body.startsWith(commentMarker('pr-7'))).toBe(true);
    expect(body).toContain('✅ Running');
    expect(body).toContain('/preview sleep');
    const asleep = renderComment('pr-7', {
      status: 'asleep',
      url: 'https://pr-7.preview.example.com',
      at,
      runUrl: '',
      note: 'Put to sleep by @octocat (/preview sleep).',
    });
    expect(asleep).toContain('💤 Asleep');
    expect(asleep).toContain('Comment `/preview wake` to wake it');
    expect(asleep).toContain('Put to sleep by @octocat');
    expect(
      renderComment('pr-7', { status: 'deploying', url: 'https://x.example', at, runUrl: '' }),
    ).toContain('⏳ Deploying');
    expect(body).toContain('[https://pr-7.preview.example.com](https://pr-7.preview.example.com)');
    expect(body).toContain('`` app:`$(id)` ``');
    expect(body).toContain('2025-03-04 05:06 UTC');
    const gone = renderComment('pr-7', {
      status: 'deleted',
      at,
      runUrl: '',
      reason: 'pull request #7 was closed',
    });
    expect(gone).toContain('🗑️ Deleted');
    expect(gone).toContain('The preview environment is gone: pull request #7 was closed');
  });
});

describe('upsertComment', () => {
  it('creates once, then updates in place', async () => {
    gh.setPull({ number: 1 });
    gh.addComment(1, 'LGTM');
    expect(await upsertComment(api, 1, 'pr-1', `${commentMarker('pr-1')}\none`)).toBe('created');
    expect(await upsertComment(api, 1, 'pr-1', `${commentMarker('pr-1')}\ntwo`)).toBe('updated');
    const ours = gh.comments.filter(
      (c) => c.issue_number === 1 && c.body.includes(commentMarker('pr-1')),
    );
    expect(ours.map((c) => c.body)).toEqual([`${commentMarker('pr-1')}\ntwo`]);
  });

  it('keeps environments of one pull request apart and leaves people’s comments alone', async () => {
    gh.setPull({ number: 2 });
    const quoted = gh.addComment(2, `${commentMarker('pr-2')}\nquoted by a person`);
    expect(await upsertComment(api, 2, 'pr-2', `${commentMarker('pr-2')}\nbot`)).toBe('created');
    expect(await upsertComment(api, 2, 'other', `${commentMarker('other')}\nbot`)).toBe('created');
    expect(await upsertComment(api, 2, 'pr-2', `${commentMarker('pr-2')}\nbot 2`)).toBe('updated');
    expect(quoted.body).toContain('quoted by a person');
    expect(gh.comments.filter((c) => c.issue_number === 2)).toHaveLength(3);
  });

  it('does not create a comment on delete', async () => {
    gh.setPull({ number: 3 });
    expect(await upsertComment(api, 3, 'pr-3', 'x', { onlyUpdate: true })).toBe('none');
    expect(gh.comments.filter((c) => c.issue_number === 3)).toHaveLength(0);
  });

  it('finds its comment past the first page', async () => {
    gh.setPull({ number: 4 });
    expect(await upsertComment(api, 4, 'pr-4', `${commentMarker('pr-4')}\nv1`)).toBe('created');
    for (let i = 0; i < 120; i++) gh.addComment(4, `chatter ${i}`);
    expect(await upsertComment(api, 4, 'pr-4', `${commentMarker('pr-4')}\nv2`)).toBe('updated');
    expect(gh.comments.filter((c) => c.issue_number === 4 && c.user.type === 'Bot')).toHaveLength(
      1,
    );
  });

  it('never writes a second comment when the update is rate limited', async () => {
    gh.setPull({ number: 5 });
    expect(await upsertComment(api, 5, 'pr-5', `${commentMarker('pr-5')}\nv1`)).toBe('created');
    const stop = gh.fail({
      method: 'PATCH',
      path: /\/issues\/comments\/\d+$/,
      status: 403,
      message: 'API rate limit exceeded for installation ID 1',
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '4102444800' },
    });
    try {
      await expect(
        upsertComment(api, 5, 'pr-5', `${commentMarker('pr-5')}\nv2`),
      ).rejects.toMatchObject({ rateLimited: true });
    } finally {
      stop();
    }
    expect(gh.comments.filter((c) => c.issue_number === 5).map((c) => c.body)).toEqual([
      `${commentMarker('pr-5')}\nv1`,
    ]);
  });
});
