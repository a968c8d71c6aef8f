import { describe, expect, it } from 'vitest';
import { resolveConfig } from './config.ts';
import { chooseListener, type ListenerLoad, poolLoads } from './pool.ts';

const arn = (lb: string, id: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/${lb}/50dc6c495c0c9188/${id}`;
const A = arn('shared-a', 'f2f7dc8efc522ab2');
const B = arn('shared-b', '0a1b2c3d4e5f6a7b');
const base = {
  cluster: 'dev',
  referenceService: 'app-dev00',
  domain: 'preview.example.com',
  hostedZoneId: 'Z0123456789',
};

const load = (listenerArn: string, rules: number, targetGroups: number): ListenerLoad => ({
  listenerArn,
  loadBalancerArn: listenerArn.replace(':listener/', ':loadbalancer/'),
  rules,
  targetGroups,
});

describe('listener pool', () => {
  it('configuration: a list in the file or comma-separated, the first is listenerArn, hostedZoneId needed', () => {
    const config = resolveConfig({ ...base, listenerArns: [A, B] });
    expect(config.listenerArns).toEqual([A, B]);
    expect(config.listenerArn).toBe(A);
    expect(config.region).toBe('eu-west-1');
    expect(resolveConfig({ ...base, listenerArns: `${A}, ${B}` as never }).listenerArns).toEqual([
      A,
      B,
    ]);
    expect(resolveConfig({ ...base, listenerArn: A }).listenerArns).toEqual([A]);
    expect(resolveConfig({ ...base, listenerArn: B, listenerArns: [A, B] }).listenerArn).toBe(B);

    const { hostedZoneId: _zone, ...noZone } = base;
    expect(() => resolveConfig({ ...noZone, listenerArns: [A, B] })).toThrow(
      /listenerArns" needs hostedZoneId/,
    );
    expect(resolveConfig({ ...noZone, listenerArns: [A] }).listenerArns).toEqual([A]);
    expect(() => resolveConfig({ ...base, listenerArns: [A, A] })).toThrow(/names .* twice/);
    expect(() => resolveConfig({ ...base, listenerArns: [A, 'nope'] })).toThrow(
      /has "nope", which is not an Application Load Balancer listener ARN/,
    );
    expect(() =>
      resolveConfig({ ...base, listenerArns: [A, B.replace('eu-west-1', 'us-east-1')] }),
    ).toThrow(/one account and region/);
    expect(() => resolveConfig({ ...base, listenerArn: B, listenerArns: [A] })).toThrow(
      /does not include listenerArn/,
    );
    expect(() => resolveConfig({ ...base })).toThrow(/missing configuration: listenerArn/);
  });

  it('places a new environment where the most room is, the first on a tie, nowhere when all are full', () => {
    expect(chooseListener([load(A, 10, 10), load(B, 3, 3)], 100, 100)?.listenerArn).toBe(B);
    expect(chooseListener([load(A, 3, 3), load(B, 3, 3)], 100, 100)?.listenerArn).toBe(A);
    // Room is the smaller of the two: many target groups make an ALB full too.
    expect(chooseListener([load(A, 1, 99), load(B, 50, 50)], 100, 100)?.listenerArn).toBe(B);
    expect(chooseListener([load(A, 100, 1), load(B, 99, 100)], 100, 100)).toBeUndefined();
    expect(chooseListener([load(A, 4, 4), load(B, 9, 1)], 5, 10)?.listenerArn).toBe(A);
  });

  it('counts the rules of every listener of a load balancer, default rules not', () => {
    const rule = (n: number, isDefault = false) => ({ RuleArn: `r${n}`, IsDefault: isDefault });
    const loads = poolLoads(
      [
        {
          listenerArn: A,
          loadBalancerArn: 'lb-a',
          rules: [rule(1), rule(2), rule(0, true)],
          targetGroups: [{}, {}, {}],
          listeners: [{ ListenerArn: A }, { ListenerArn: 'http-a' }],
        },
      ],
      new Map([['http-a', [rule(3), rule(9, true)]]]),
    );
    expect(loads).toEqual([{ listenerArn: A, loadBalancerArn: 'lb-a', rules: 3, targetGroups: 3 }]);
  });
});
