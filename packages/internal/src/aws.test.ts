import { describe, expect, it } from 'vitest';
import {
  AwsConfigError,
  awsClientConfig,
  awsErrorInfo,
  awsTimeoutMs,
  DEFAULT_AWS_TIMEOUT_MS,
  isAwsError,
} from './aws.ts';

describe('awsClientConfig', () => {
  it('takes the region from the environment and uses adaptive retries', () => {
    expect(awsClientConfig({}, { AWS_DEFAULT_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      retryMode: 'adaptive',
      maxAttempts: 5,
      requestHandler: {
        connectionTimeout: 30_000,
        requestTimeout: 30_000,
        socketTimeout: 30_000,
        throwOnRequestTimeout: true,
      },
    });
    expect(awsClientConfig({ region: 'us-east-2' }, { AWS_REGION: 'x' }).region).toBe('us-east-2');
  });

  it('bounds every attempt: option, then BERTH_AWS_TIMEOUT, then 30 s', () => {
    const env = { AWS_REGION: 'us-east-1' };
    expect(awsTimeoutMs({}, env)).toBe(DEFAULT_AWS_TIMEOUT_MS);
    expect(awsTimeoutMs({}, { ...env, BERTH_AWS_TIMEOUT: '2m' })).toBe(120_000);
    expect(awsTimeoutMs({}, { ...env, BERTH_AWS_TIMEOUT: ' ' })).toBe(30_000);
    expect(awsTimeoutMs({ timeoutMs: 250 }, { ...env, BERTH_AWS_TIMEOUT: '2m' })).toBe(250);
    const config = awsClientConfig({}, { ...env, BERTH_AWS_TIMEOUT: '1500ms' });
    expect(config.requestHandler).toMatchObject({
      connectionTimeout: 1500,
      requestTimeout: 1500,
      throwOnRequestTimeout: true,
    });
  });

  it('refuses a bad BERTH_AWS_TIMEOUT or timeoutMs with exit code 2', () => {
    const env = { AWS_REGION: 'us-east-1' };
    for (const raw of ['30', 'soon', '0s', '-5s']) {
      let error: unknown;
      try {
        awsClientConfig({}, { ...env, BERTH_AWS_TIMEOUT: raw });
      } catch (e) {
        error = e;
      }
      expect(error, raw).toBeInstanceOf(AwsConfigError);
      expect((error as AwsConfigError).exitCode).toBe(2);
      expect((error as AwsConfigError).message).toMatch(/BERTH_AWS_TIMEOUT/);
    }
    expect(() => awsClientConfig({ timeoutMs: 0 }, env)).toThrow(AwsConfigError);
  });

  it('explains a missing region', () => {
    expect(() => awsClientConfig({}, {})).toThrow(AwsConfigError);
    expect(() => awsClientConfig({}, {})).toThrow(/set AWS_REGION/);
  });
});

describe('awsErrorInfo', () => {
  it('reads SDK errors', () => {
    const e = Object.assign(new Error('priority taken'), {
      name: 'PriorityInUseException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(awsErrorInfo(e)).toMatchObject({
      code: 'PriorityInUseException',
      status: 400,
      retryable: false,
    });
    expect(isAwsError(e, 'PriorityInUseException')).toBe(true);
    const t = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(awsErrorInfo(t).retryable).toBe(true);
    const n = Object.assign(new Error('refused'), { code: 'ECONNREFUSED' });
    expect(awsErrorInfo(n)).toMatchObject({ code: 'ECONNREFUSED', network: true, retryable: true });
    const timeout = Object.assign(new Error('no answer'), { name: 'TimeoutError' });
    expect(awsErrorInfo(timeout)).toMatchObject({
      code: 'TimeoutError',
      network: true,
      retryable: true,
    });
  });
});
