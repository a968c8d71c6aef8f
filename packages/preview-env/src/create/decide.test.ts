import { describe, expect, it } from 'vitest';
import { TAG } from '../tags.ts';
import { type PlanInput, planCreate } from './decide.ts';

const base: PlanInput = {
  existing: {
    taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/app-pr-1:3',
    loadBalancers: [{ targetGroupArn: 'tg-1' }],
  },
  existingTags: { [TAG.spec]: 'abc', [TAG.image]: 'img:1' },
  family: 'app-pr-1',
  spec: 'abc',
  image: 'img:1',
  targetGroupArn: 'tg-1',
  targetGroupCreated: false,
  ruleExists: true,
  ruleInPlace: true,
  recordInPlace: true,
};

describe('planCreate', () => {
  it('writes nothing when everything is as asked', () => {
    expect(planCreate(base)).toMatchObject({ upToDate: true, service: 'keep', rule: 'keep' });
  });

  it('deploys a new revision for a new image or spec, keeping the rest', () => {
    for (const change of [{ image: 'img:2' }, { spec: 'def' }, { family: 'other' }]) {
      expect(planCreate({ ...base, ...change })).toMatchObject({
        upToDate: false,
        registerTaskDefinition: true,
        rule: 'keep',
        writeRecord: false,
        retagLoadBalancing: true,
        service: 'update',
      });
    }
  });

  it('modifies a rule that is not as wanted (access changed) without a new deployment', () => {
    expect(planCreate({ ...base, ruleInPlace: false })).toMatchObject({
      upToDate: false,
      registerTaskDefinition: false,
      rule: 'modify',
      retagLoadBalancing: false,
      service: 'keep',
    });
  });

  it('creates everything for a new environment', () => {
    expect(
      planCreate({
        ...base,
        existing: undefined,
        existingTags: {},
        targetGroupCreated: true,
        ruleExists: false,
        ruleInPlace: false,
        recordInPlace: false,
      }),
    ).toEqual({
      upToDate: false,
      registerTaskDefinition: true,
      rule: 'create',
      writeRecord: true,
      setTargetGroupAttributes: true,
      retagLoadBalancing: false,
      service: 'create',
    });
  });
});
