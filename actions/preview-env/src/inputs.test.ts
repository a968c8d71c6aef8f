import { describe, expect, it } from 'vitest';
import { parseEnvInput, readInputs } from './inputs.ts';

describe('readInputs', () => {
  it('reads defaults and every input from INPUT_* variables', () => {
    expect(readInputs({})).toEqual({
      mode: 'auto',
      config: '',
      image: '',
      name: '',
      env: {},
      secretsFrom: '',
      wait: false,
      githubToken: '',
      comment: true,
      deployment: true,
    });
    const inputs = readInputs({
      INPUT_MODE: 'Create',
      INPUT_IMAGE: ' app:1 ',
      INPUT_ENV: 'A=1\n# comment\n\nB=x=y\n',
      INPUT_SECRETS_FROM: 'app/dev',
      INPUT_WAIT: 'true',
      INPUT_GITHUB_TOKEN: 't',
      INPUT_COMMENT: 'false',
      INPUT_DEPLOYMENT: 'FALSE',
    });
    expect(inputs).toMatchObject({
      mode: 'create',
      image: 'app:1',
      env: { A: '1', B: 'x=y' },
      secretsFrom: 'app/dev',
      wait: true,
      githubToken: 't',
      comment: false,
      deployment: false,
    });
  });

  it('rejects bad inputs with the input named', () => {
    expect(() => readInputs({ INPUT_MODE: 'deploy' })).toThrow(
      /input "mode" must be one of auto, create/,
    );
    expect(() => readInputs({ INPUT_WAIT: 'yes' })).toThrow(/input "wait" must be true or false/);
    expect(() => readInputs({ INPUT_NAME: 'a\nb' })).toThrow(/single line/);
  });
});

describe('parseEnvInput', () => {
  it('names the entry and key, never the value', () => {
    expect(() => parseEnvInput(['SECRET_VALUE_NO_EQUALS'])).toThrow(/entry 1: expected KEY=VALUE/);
    try {
      parseEnvInput(['OK=1', '1BAD=hunter2']);
    } catch (error) {
      expect((error as Error).message).toContain('entry 2: "1BAD"');
      expect((error as Error).message).not.toContain('hunter2');
      expect((error as { code?: string }).code).toBe('E_INPUT');
    }
    expect(() => parseEnvInput(['A=1', 'A=2'])).toThrow(/A is given twice/);
  });
});
