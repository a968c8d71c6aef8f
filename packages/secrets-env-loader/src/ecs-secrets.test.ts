import { describe, expect, it } from 'vitest';
import { toEcsSecrets } from './ecs-secrets.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/dev-AbC123';

describe('toEcsSecrets', () => {
  it('makes one entry per key with empty stage and id fields', () => {
    expect(toEcsSecrets({ secretArn: ARN, keys: ['DB_HOST', 'db-password', 'api.key'] })).toEqual([
      { name: 'DB_HOST', valueFrom: `${ARN}:DB_HOST::` },
      { name: 'DB_PASSWORD', valueFrom: `${ARN}:db-password::` },
      { name: 'API_KEY', valueFrom: `${ARN}:api.key::` },
    ]);
  });

  it('puts a stage in the third field and an id in the fourth', () => {
    expect(
      toEcsSecrets({ secretArn: ARN, keys: ['A'], versionStage: 'AWSPREVIOUS' })[0]?.valueFrom,
    ).toBe(`${ARN}:A:AWSPREVIOUS:`);
    const id = '0a1b2c3d-0000-4000-8000-000000000000';
    expect(toEcsSecrets({ secretArn: ARN, keys: ['A'], versionId: id })[0]?.valueFrom).toBe(
      `${ARN}:A::${id}`,
    );
  });

  it('names like loadSecrets: prefix, transform, explicit names, leading digit', () => {
    expect(
      toEcsSecrets({
        secretArn: ARN,
        keys: ['host', '2fa', 'x'],
        prefix: 'App',
        nameTransform: 'none',
        names: { x: 'EXPLICIT' },
      }).map((s) => s.name),
    ).toEqual(['App_host', 'App_2fa', 'EXPLICIT']);
    expect(toEcsSecrets({ secretArn: ARN, keys: ['2fa'] })[0]?.name).toBe('_2FA');
  });

  it('refuses bad input with stable codes', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        return (error as { code: string }).code;
      }
      return 'no error';
    };
    expect(code(() => toEcsSecrets({ secretArn: 'app/dev', keys: ['A'] }))).toBe(
      'E_INVALID_SECRET_ID',
    );
    expect(
      code(() =>
        toEcsSecrets({
          secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/dev',
          keys: ['A'],
        }),
      ),
    ).toBe('E_INVALID_SECRET_ID');
    expect(
      code(() => toEcsSecrets({ secretArn: ARN, keys: ['A'], versionStage: 'S', versionId: 'V' })),
    ).toBe('E_INPUT');
    expect(code(() => toEcsSecrets({ secretArn: ARN, keys: ['a:b'] }))).toBe('E_INVALID_NAME');
    expect(code(() => toEcsSecrets({ secretArn: ARN, keys: [''] }))).toBe('E_INVALID_NAME');
    expect(
      code(() => toEcsSecrets({ secretArn: ARN, keys: ['a'], names: { a: 'not-valid' } })),
    ).toBe('E_INVALID_NAME');
    expect(code(() => toEcsSecrets({ secretArn: ARN, keys: ['a-b', 'a_b'] }))).toBe('E_CONFLICT');
  });

  it('keeps one entry for a repeated key', () => {
    expect(toEcsSecrets({ secretArn: ARN, keys: ['A', 'A'] })).toHaveLength(1);
  });

  it('names a bad key on one line, escaped (preview-env --secrets-from prints these)', () => {
    try {
      toEcsSecrets({ secretArn: ARN, keys: ['a\n::add-mask::b:c'] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).toContain('JSON key "a\\n::add-mask::b:c"');
    }
  });
});
