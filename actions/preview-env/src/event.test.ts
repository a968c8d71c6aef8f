import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentInputName, parseCommand, planRun, readEvent } from './event.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function eventEnv(name: string, payload: unknown): NodeJS.ProcessEnv {
  const d = mkdtempSync(join(tmpdir(), 'event-'));
  dirs.push(d);
  const file = join(d, 'event.json');
  writeFileSync(file, JSON.stringify(payload));
  return {
    GITHUB_EVENT_NAME: name,
    GITHUB_EVENT_PATH: file,
    GITHUB_REPOSITORY: 'acme/shop',
    GITHUB_SHA: 'merge-sha',
    GITHUB_RUN_ID: '42',
    GITHUB_RUN_ATTEMPT: '2',
    GITHUB_SERVER_URL: 'https://github.example',
  };
}

const pr = (action: string, headRepo: string | null = 'acme/shop', state = 'open') => ({
  action,
  number: 7,
  pull_request: {
    number: 7,
    state,
    head: {
      ref: 'feature',
      sha: 'head-sha',
      repo: headRepo === null ? null : { full_name: headRepo },
    },
    base: { ref: 'main', repo: { full_name: 'acme/shop' } },
  },
});

describe('readEvent', () => {
  it('reads a pull request event', () => {
    const event = readEvent(eventEnv('pull_request', pr('opened')));
    expect(event).toEqual({
      name: 'pull_request',
      action: 'opened',
      pullRequest: {
        number: 7,
        headSha: 'head-sha',
        headRef: 'feature',
        fork: false,
        state: 'open',
      },
      repository: 'acme/shop',
      sha: 'head-sha',
      runUrl: 'https://github.example/acme/shop/actions/runs/42/attempts/2',
    });
  });

  it('sees forks, including deleted ones', () => {
    expect(
      readEvent(eventEnv('pull_request', pr('opened', 'mallory/shop'))).pullRequest?.fork,
    ).toBe(true);
    expect(readEvent(eventEnv('pull_request', pr('opened', null))).pullRequest?.fork).toBe(true);
  });

  it('explains an unreadable payload', () => {
    expect(() => readEvent({ GITHUB_EVENT_PATH: '/nonexistent/event.json' })).toThrow(
      /cannot read the event payload/,
    );
  });
});

describe('planRun', () => {
  const plan = (mode: 'auto' | 'create' | 'delete', name: string, payload: unknown) =>
    planRun(mode, readEvent(eventEnv(name, payload)));

  it('dispatches mode auto by event', () => {
    for (const action of ['opened', 'synchronize', 'reopened', 'labeled']) {
      expect(plan('auto', 'pull_request', pr(action)).kind).toBe('create');
    }
    expect(plan('auto', 'pull_request', pr('closed', 'acme/shop', 'closed')).kind).toBe('delete');
    expect(plan('auto', 'pull_request_target', pr('closed')).kind).toBe('delete');
    expect(plan('auto', 'pull_request', pr('edited'))).toMatchObject({ kind: 'skip', fork: false });
    expect(plan('auto', 'pull_request', pr('labeled', 'acme/shop', 'closed'))).toMatchObject({
      kind: 'skip',
      fork: false,
      reason: 'pull request #7 is closed: a "labeled" event on it makes no preview environment',
    });
    expect(plan('auto', 'schedule', { schedule: '0 3 * * *' }).kind).toBe('sweep');
    expect(plan('auto', 'workflow_dispatch', { inputs: {} }).kind).toBe('sweep');
    expect(() => plan('auto', 'push', {})).toThrow(
      /mode auto does not know what to do on a "push" event/,
    );
  });

  it('skips fork pull requests, explaining why', () => {
    const skipped = plan('auto', 'pull_request', pr('opened', 'mallory/shop'));
    expect(skipped).toMatchObject({ kind: 'skip', fork: true });
    expect((skipped as { reason: string }).reason).toMatch(/fork.*no secrets/);
    expect(plan('create', 'pull_request', pr('opened', 'mallory/shop')).kind).toBe('skip');
    expect(plan('create', 'pull_request_target', pr('opened', 'mallory/shop')).kind).toBe('create');
  });
});

const comment = (
  body: string,
  o: { association?: string; onPullRequest?: boolean; action?: string; state?: string } = {},
) => ({
  action: o.action ?? 'created',
  issue: {
    number: 7,
    state: o.state ?? 'open',
    ...(o.onPullRequest === false
      ? {}
      : { pull_request: { url: 'https://api.github.com/repos/acme/shop/pulls/7' } }),
  },
  comment: {
    id: 555,
    body,
    author_association: o.association ?? 'MEMBER',
    user: { login: 'octocat' },
  },
});

describe('comment commands', () => {
  const plan = (payload: unknown) => planRun('auto', readEvent(eventEnv('issue_comment', payload)));

  it('parses the first line only, any case, nothing else', () => {
    expect(parseCommand('/preview wake')).toBe('wake');
    expect(parseCommand('  /Preview   SLEEP  \nthanks')).toBe('sleep');
    expect(parseCommand('/preview delete\r\n')).toBe('delete');
    expect(parseCommand('please /preview wake')).toBeUndefined();
    expect(parseCommand('/preview wake now')).toBeUndefined();
    expect(parseCommand('/preview')).toBeUndefined();
    expect(parseCommand('/previewwake')).toBeUndefined();
  });

  it('runs a command from a user with write access on a pull request', () => {
    for (const association of ['OWNER', 'MEMBER', 'COLLABORATOR']) {
      expect(plan(comment('/preview sleep', { association }))).toEqual({
        kind: 'sleep',
        command: 'sleep',
      });
    }
    expect(plan(comment('/preview delete'))).toEqual({ kind: 'delete', command: 'delete' });
    const event = readEvent(eventEnv('issue_comment', comment('/preview wake')));
    expect(event.pullRequest?.number).toBe(7);
    expect(event.comment).toMatchObject({ id: 555, user: 'octocat', onPullRequest: true });
    expect(environmentInputName('', event)).toBe('7');
  });

  it('does nothing, saying why, for users without write access, plain issues, edits and other comments', () => {
    for (const association of ['CONTRIBUTOR', 'FIRST_TIME_CONTRIBUTOR', 'NONE', 'MANNEQUIN']) {
      const p = plan(comment('/preview delete', { association }));
      expect(p.kind).toBe('skip');
      expect((p as { reason: string }).reason).toContain(
        `@octocat (author association ${association}) ignored: only users with write access`,
      );
    }
    const issue = plan(comment('/preview wake', { onPullRequest: false }));
    expect(issue).toMatchObject({ kind: 'skip' });
    expect((issue as { reason: string }).reason).toContain('issue #7, which is not a pull request');
    expect(plan(comment('/preview wake', { action: 'edited' })).kind).toBe('skip');
    expect(plan(comment('looks good')).kind).toBe('skip');
    expect(plan(comment('/preview wake', { state: 'closed' })).kind).toBe('skip');
    expect(plan(comment('/preview delete', { state: 'closed' })).kind).toBe('delete');
  });
});

describe('environmentInputName', () => {
  it('uses the name input, else the pull request number', () => {
    const event = readEvent(eventEnv('pull_request', pr('opened')));
    expect(environmentInputName('', event)).toBe('7');
    expect(environmentInputName('feature/x', event)).toBe('feature/x');
    expect(() => environmentInputName('', readEvent(eventEnv('push', {})))).toThrow(
      /input "name" is empty/,
    );
  });
});
