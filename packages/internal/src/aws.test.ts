import { describe, expect, it } from 'vitest';
import { AwsConfigError, awsClientConfig, awsErrorInfo, isAwsError } from './aws.ts';

describe('awsClientConfig', () => {
  it('takes the region from the environment and uses adaptive retries', () => {
    expect(awsClientConfig({}, { AWS_DEFAULT_REGION: 'eu-west-1' })).toEqual({
      region: 'eu-west-1',
      retryMode: 'adaptive',
      maxAttempts: 5,
    });
    expect(awsClientConfig({ region: 'us-east-2' }, { AWS_REGION: 'x' }).region).toBe('us-east-2');
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
    expect(awsErrorInfo(n)).toMatchObject({ network: true, retryable: true });
  });
});
