import { awsErrorInfo } from './aws.ts';

/** What {@link awsFailure} needs to know about the call that failed. */
export interface AwsFailureContext {
  /** What was being done, as a verb phrase: `create target group`, `authorize ingress`. */
  doing: string;
  /** The resource it was done to (`pe-x`, `sg-0123...`); appended to `doing`. */
  resource?: string;
  /** IAM actions the call needs, named in the message when access was denied. */
  iamActions?: readonly string[];
  /** Free-text hint for access denied instead of (or after) the actions, e.g. "see the README". */
  iamHint?: string;
}

/** An AWS failure read into what a package error needs. */
export interface AwsFailure {
  /**
   * One message naming what failed and how to go on, e.g.
   * `could not create target group pe-x: AccessDenied: ... (the caller needs elasticloadbalancing:CreateTargetGroup)`.
   */
  message: string;
  /** The AWS error code (`PriorityInUse`), or the network error's (`ECONNRESET`, `TimeoutError`). */
  awsCode: string;
  /** HTTP status when AWS answered. */
  status?: number;
  /** Whether the same call may succeed when retried. */
  retryable: boolean;
  /** The caller lacks an IAM permission. */
  accessDenied: boolean;
  /** AWS may have applied the call although no answer arrived ({@link isLostResponse}). */
  lostResponse: boolean;
}

const ACCESS_DENIED =
  /AccessDenied|UnauthorizedOperation|NotAuthorized|AuthorizationError|Forbidden/i;

/** Longest AWS message quoted; the rest is cut (messages can echo whole request documents). */
const MAX_QUOTED = 500;

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  $response?: unknown;
  $responseBodyText?: unknown;
}

/**
 * True when the SDK could not parse the answer. Its message is the parser's, which quotes the
 * text around the bad spot (possibly a secret value): it must never be shown.
 */
function unreadableAnswer(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorShape;
  return (
    error instanceof SyntaxError ||
    e.name === 'SyntaxError' ||
    e.$responseBodyText !== undefined ||
    (typeof e.message === 'string' && e.message.includes('Deserialization error'))
  );
}

/**
 * True for a failure after which AWS may have applied the call: the request was sent, then
 * the connection was reset or closed, the answer did not come in time, or the call was
 * aborted while in flight. After a write fails like this, look the resource up (by name,
 * tags or description) before rolling back or reporting it as not made.
 *
 * False for failures before anything was sent (refused connection, unknown host, connect
 * timeout) and for every answer AWS gave (an AWS error means the call was not applied).
 */
export function isLostResponse(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as ErrorShape;
  if (e.$metadata?.httpStatusCode !== undefined || e.$response !== undefined) return false;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (name === 'AbortError') return true;
  if (name === 'TimeoutError') {
    // The SDK's connection timeout: nothing was sent.
    return !/did not establish a connection/.test(message);
  }
  if (/^(ECONNRESET|EPIPE|ETIMEDOUT|ECONNABORTED|UND_ERR_SOCKET|UND_ERR_CLOSED)$/.test(code)) {
    return true;
  }
  return /socket hang up|other side closed/i.test(message);
}

function cut(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/**
 * Reads an error thrown by an AWS SDK call into one message and the facts a package error
 * needs: the AWS code, whether it is retryable, whether access was denied (the message then
 * names the IAM actions), and whether the call may have been applied without an answer.
 * Unreadable answers are never quoted (they may hold secret values).
 *
 * @example
 * ```ts
 * try {
 *   await elbv2.send(new CreateTargetGroupCommand({ Name: name }));
 * } catch (error) {
 *   const f = awsFailure(error, {
 *     doing: 'create target group',
 *     resource: name,
 *     iamActions: ['elasticloadbalancing:CreateTargetGroup'],
 *   });
 *   throw new FooError('E_AWS', f.message, { cause: error, retryable: f.retryable });
 * }
 * ```
 */
export function awsFailure(error: unknown, context: AwsFailureContext): AwsFailure {
  const what = `could not ${context.doing}${context.resource ? ` ${context.resource}` : ''}`;
  const info = awsErrorInfo(error);
  const lostResponse = isLostResponse(error);
  const accessDenied = ACCESS_DENIED.test(info.code);
  const base = {
    awsCode: info.code,
    ...(info.status === undefined ? {} : { status: info.status }),
    retryable: info.retryable,
    accessDenied,
    lostResponse,
  };
  const name = (error as ErrorShape | undefined)?.name;
  if (name === 'AbortError') {
    return { ...base, retryable: false, message: `${what}: interrupted before AWS answered` };
  }
  if (unreadableAnswer(error)) {
    return {
      ...base,
      message: `${what}: the answer from AWS could not be read${info.status === undefined ? '' : ` (HTTP ${info.status})`} and is not shown; check AWS_ENDPOINT_URL and any proxy in between`,
    };
  }
  const code = (error as ErrorShape | undefined)?.code;
  if (
    lostResponse &&
    (code === 'ECONNRESET' || code === 'EPIPE' || /hang up|closed/i.test(info.message))
  ) {
    return {
      ...base,
      message: `${what}: the connection closed before AWS answered (${cut(info.message)}); AWS may have applied it`,
    };
  }
  if (name === 'TimeoutError') {
    return {
      ...base,
      message: `${what}: AWS did not answer in time (${cut(info.message)}); check the network, or allow more time with BERTH_AWS_TIMEOUT (e.g. 2m)`,
    };
  }
  if (info.network) {
    return {
      ...base,
      message: `${what}: cannot reach AWS (${info.code}: ${cut(info.message)}); check the network, the region and AWS_ENDPOINT_URL`,
    };
  }
  let hint = '';
  if (accessDenied) {
    const actions = context.iamActions?.length
      ? `the caller needs ${context.iamActions.join(', ')}`
      : '';
    const parts = [actions, context.iamHint ?? ''].filter((p) => p !== '');
    hint = ` (${parts.length ? parts.join('; ') : "check the caller's IAM permissions"})`;
  } else if (info.retryable) {
    hint = ' (temporary: try again)';
  }
  return { ...base, message: `${what}: ${info.code}: ${cut(info.message)}${hint}` };
}
