import { describe, expect, it } from 'vitest';
import { EcsRollbackError } from './errors.ts';
import { parseImage, withTagOrDigest } from './image.ts';
import { parseRollbackTo } from './target.ts';

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('parseRollbackTo', () => {
  it.each([
    [undefined, { kind: 'previous' }],
    ['previous', { kind: 'previous' }],
    ['42', { kind: 'revision', revision: 42 }],
    ['v1.4.2', { kind: 'tag', tag: 'v1.4.2' }],
    ['tag:1234', { kind: 'tag', tag: '1234' }],
    ['tag:previous', { kind: 'tag', tag: 'previous' }],
    [DIGEST, { kind: 'digest', digest: DIGEST }],
    [`@${DIGEST}`, { kind: 'digest', digest: DIGEST }],
    ['web:12', { kind: 'task-definition', id: 'web:12' }],
    [
      'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12',
      { kind: 'task-definition', id: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:12' },
    ],
    ['nginx:1.25', { kind: 'image', image: 'nginx:1.25', repository: 'nginx', tag: '1.25' }],
    [
      'localhost:5000/team/app:v2',
      {
        kind: 'image',
        image: 'localhost:5000/team/app:v2',
        repository: 'localhost:5000/team/app',
        tag: 'v2',
      },
    ],
  ])('%s', (to, expected) => {
    expect(parseRollbackTo(to)).toEqual(expected);
  });

  it.each([
    ['0', /not a rollback target/],
    ['-v1', /not a rollback target/],
    ['tag:.bad', /not a valid image tag/],
    ['sha256:abc', /not an image digest/],
    ['arn:aws:ecs:us-east-1:1:service/x', /not a task definition ARN/],
    ['repo/app', /neither a tag nor a digest/],
    ['has space', /not a rollback target/],
    ['', /^--to is empty: pass previous/],
    ['  ', /^--to is empty/],
  ])('refuses %s', (to, message) => {
    const error = (() => {
      try {
        parseRollbackTo(to, '--to');
      } catch (e) {
        return e;
      }
    })() as EcsRollbackError;
    expect(error).toBeInstanceOf(EcsRollbackError);
    expect(error.code).toBe('E_INPUT');
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(/^--to[: ]/);
    expect(error.message).toMatch(message);
  });
});

describe('parseImage', () => {
  it('splits registry ports, tags and digests', () => {
    expect(parseImage('app')).toEqual({ repository: 'app' });
    expect(parseImage('localhost:5000/app')).toEqual({ repository: 'localhost:5000/app' });
    expect(parseImage(`r.example/app:v1@${DIGEST}`)).toEqual({
      repository: 'r.example/app',
      tag: 'v1',
      digest: DIGEST,
    });
  });

  it('swaps a tag or digest, keeping the repository', () => {
    expect(withTagOrDigest('r.example:443/app:v1', { tag: 'v0' })).toBe('r.example:443/app:v0');
    expect(withTagOrDigest('r.example/app:v1', { digest: DIGEST })).toBe(`r.example/app@${DIGEST}`);
  });
});
