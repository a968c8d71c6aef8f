import { describe, expect, it } from 'vitest';
import { awsFailure, isLostResponse } from './aws-failure.ts';

const awsError = (name: string, message: string, status = 400, extra: object = {}) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status }, ...extra });

describe('awsFailure', () => {
  it('names what failed and the IAM actions when access is denied', () => {
    const f = awsFailure(awsError('AccessDenied', 'User: x is not authorized', 403), {
      doing: 'create target group',
      resource: 'pe-x',
      iamActions: ['elasticloadbalancing:CreateTargetGroup'],
    });
    expect(f).toEqual({
      message:
        'could not create target group pe-x: AccessDenied: User: x is not authorized (the caller needs elasticloadbalancing:CreateTargetGroup)',
      awsCode: 'AccessDenied',
      status: 403,
      retryable: false,
      accessDenied: true,
      lostResponse: false,
    });
    expect(
      awsFailure(awsError('UnauthorizedOperation', 'no'), { doing: 'authorize ingress' }).message,
    ).toBe(
      "could not authorize ingress: UnauthorizedOperation: no (check the caller's IAM permissions)",
    );
    expect(
      awsFailure(awsError('AccessDeniedException', 'no'), {
        doing: 'read',
        iamHint: 'see the README',
      }).message,
    ).toBe('could not read: AccessDeniedException: no (see the README)');
  });

  it('marks throttles and 5xx as temporary', () => {
    const f = awsFailure(awsError('ThrottlingException', 'Rate exceeded'), { doing: 'list' });
    expect(f).toMatchObject({ retryable: true, accessDenied: false });
    expect(f.message).toBe(
      'could not list: ThrottlingException: Rate exceeded (temporary: try again)',
    );
  });

  it('never quotes an answer the SDK could not read', () => {
    const e = Object.assign(new SyntaxError('Unexpected token in {"SecretString":"hunter2'), {
      $metadata: { httpStatusCode: 200 },
      $responseBodyText: '{"SecretString":"hunter2',
    });
    const f = awsFailure(e, { doing: 'read secret', resource: 'app/dev' });
    expect(f.message).not.toContain('hunter2');
    expect(f.message).toMatch(
      /could not read secret app\/dev: the answer from AWS could not be read \(HTTP 200\)/,
    );
  });

  it('cuts very long AWS messages', () => {
    const f = awsFailure(awsError('ValidationError', 'x'.repeat(5000)), { doing: 'x' });
    expect(f.message.length).toBeLessThan(600);
  });
});

describe('isLostResponse', () => {
  it('is true when the request may have been applied', () => {
    expect(isLostResponse(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }))).toBe(
      true,
    );
    expect(isLostResponse(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).toBe(true);
    expect(
      isLostResponse(
        Object.assign(new Error('a request has exceeded the configured 30000 ms requestTimeout'), {
          name: 'TimeoutError',
          code: 'ETIMEDOUT',
        }),
      ),
    ).toBe(true);
    expect(isLostResponse(Object.assign(new Error('aborted'), { name: 'AbortError' }))).toBe(true);
  });

  it('is false when nothing was sent or AWS answered', () => {
    expect(isLostResponse(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe(
      false,
    );
    expect(
      isLostResponse(
        Object.assign(
          new Error(
            'the request socket did not establish a connection with the server within the configured timeout of 30000 ms.',
          ),
          { name: 'TimeoutError' },
        ),
      ),
    ).toBe(false);
    expect(isLostResponse(awsError('InternalError', 'oops', 500))).toBe(false);
    expect(isLostResponse(undefined)).toBe(false);
    expect(isLostResponse('socket hang up')).toBe(false);
  });
});
