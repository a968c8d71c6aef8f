import { describe, expect, it } from 'vitest';
import { fakeEcs } from '../test/fake-ecs.ts';
import { listFamilyRevisions } from './task-definitions.ts';

const arn = (family: string, revision: number) =>
  `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

describe('listFamilyRevisions', () => {
  it('follows every page and sorts newest first itself, keeping only the family', async () => {
    // Real ECS pages by nextToken (up to 100 a page); the emulator ignores paging and sort,
    // and a family prefix can match other families.
    const pages: Record<string, { taskDefinitionArns: string[]; nextToken?: string }> = {
      start: {
        taskDefinitionArns: [arn('web', 3), arn('web-worker', 9), arn('web', 1)],
        nextToken: 'p2',
      },
      p2: { taskDefinitionArns: [arn('web', 12), arn('web', 2)], nextToken: 'p3' },
      p3: { taskDefinitionArns: [arn('web', 10)] },
    };
    const ecs = fakeEcs({
      ListTaskDefinitions: (input) => pages[(input.nextToken as string | undefined) ?? 'start'],
    });
    const revisions = await listFamilyRevisions(ecs, 'web', 'ACTIVE');
    expect(revisions.map((r) => r.revision)).toEqual([12, 10, 3, 2, 1]);
    expect(ecs.calls).toHaveLength(3);
    expect(ecs.calls[0]?.input).toMatchObject({
      familyPrefix: 'web',
      status: 'ACTIVE',
      sort: 'DESC',
      maxResults: 100,
    });
    expect(ecs.calls[2]?.input.nextToken).toBe('p3');
  });
});
