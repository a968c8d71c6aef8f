import { describe, expect, it } from 'vitest';
import { mergeEnv } from './merge-env.ts';
import { lastPathSegment, variableName } from './names.ts';
import { parseSecretId } from './secret-id.ts';
import { parseSecretSpec } from './secret-spec.ts';

describe('variable names', () => {
  it('sanitises, joins with _, upper-cases, and guards a leading digit', () => {
    expect(variableName(['db', 'host'], 'upper')).toBe('DB_HOST');
    expect(variableName(['my-key.x', 'ünï'], 'upper')).toBe('MY_KEY_X__N_');
    expect(variableName(['ß'], 'upper')).toBe('_');
    expect(variableName(['1st'], 'upper')).toBe('_1ST');
    expect(variableName(['App', 'dbHost'], 'none')).toBe('App_dbHost');
    expect(variableName(['APP_', 'host'], 'upper')).toBe('APP_HOST');
    expect(variableName(['a', ''], 'upper')).toBeUndefined();
  });

  it('takes the last path segment of a secret name', () => {
    expect(lastPathSegment('app/dev/db-password')).toBe('db-password');
    expect(lastPathSegment('plain')).toBe('plain');
    expect(lastPathSegment('trailing/')).toBe('trailing');
  });
});

describe('secret ids and specs', () => {
  it('reads id=alias, keeping = inside names', () => {
    expect(parseSecretSpec('app/dev')).toEqual({ id: 'app/dev' });
    expect(parseSecretSpec('app/dev=APP')).toEqual({ id: 'app/dev', alias: 'APP' });
    expect(parseSecretSpec('a=b=')).toEqual({ id: 'a=b' });
    expect(() => parseSecretSpec('key=1bad')).toThrow(
      expect.objectContaining({ code: 'E_INVALID_SECRET_ID' }),
    );
    expect(parseSecretSpec('key=1bad=')).toEqual({ id: 'key=1bad' });
    expect(
      parseSecretSpec('arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbC123=X'),
    ).toEqual({
      id: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbC123',
      alias: 'X',
    });
  });

  it('checks names, ARNs and prefixes', () => {
    expect(parseSecretId('app/*')).toEqual({ kind: 'prefix', id: 'app/*', prefix: 'app/' });
    expect(parseSecretId('arn:aws:secretsmanager:us-east-1:123456789012:secret:x').kind).toBe(
      'arn',
    );
    for (const bad of [
      '',
      'ap*',
      'a*b',
      'a/**',
      'arn:aws:s3:::bucket',
      'bad name',
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:x*',
    ]) {
      expect(() => parseSecretId(bad), bad).toThrow(
        expect.objectContaining({ code: 'E_INVALID_SECRET_ID', exitCode: 2 }),
      );
    }
  });
});

describe('mergeEnv', () => {
  it('keeps existing variables unless override; pristine starts empty', () => {
    const base = { PATH: '/bin', DB_HOST: 'mine' };
    const vars = { DB_HOST: 'secret', API_KEY: 'k' };
    expect(mergeEnv(base, vars)).toEqual({
      env: { PATH: '/bin', DB_HOST: 'mine', API_KEY: 'k' },
      applied: ['API_KEY'],
      kept: ['DB_HOST'],
    });
    expect(mergeEnv(base, vars, { override: true }).env.DB_HOST).toBe('secret');
    expect(mergeEnv(base, vars, { pristine: true }).env).toEqual(vars);
  });

  it('sets a __proto__ variable as data, not as a prototype', () => {
    const { env } = mergeEnv({}, JSON.parse('{"__proto__":"x"}') as Record<string, string>);
    expect(Object.keys(env)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(env)).toBe(Object.prototype);
  });
});
