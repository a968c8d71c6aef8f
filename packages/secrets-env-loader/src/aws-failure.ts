import { awsErrorInfo } from '@berth/internal';
import type { SecretFailure } from './errors.ts';

/** Maps an AWS error code and message about one secret to a failure with a stable code. */
export function failureFromAws(
  secretId: string,
  awsCode: string,
  awsMessage: string | undefined,
): SecretFailure {
  const detail = awsMessage ? `${awsCode}: ${awsMessage}` : awsCode;
  switch (awsCode) {
    case 'ResourceNotFoundException':
      return {
        secretId,
        code: 'E_NOT_FOUND',
        reason: `not found (check the name, the region and the account) (${detail})`,
      };
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnauthorizedOperation':
      return {
        secretId,
        code: 'E_ACCESS_DENIED',
        reason: `access denied: allow secretsmanager:GetSecretValue on it (and kms:Decrypt on its key) (${detail})`,
      };
    case 'DecryptionFailure':
      return {
        secretId,
        code: 'E_DECRYPTION',
        reason: `cannot be decrypted with its KMS key (${detail})`,
      };
    case 'InvalidRequestException':
      if (/deleted|deletion/i.test(awsMessage ?? '')) {
        return { secretId, code: 'E_NOT_FOUND', reason: `scheduled for deletion (${detail})` };
      }
      return { secretId, code: 'E_AWS', reason: detail };
    default:
      return { secretId, code: 'E_AWS', reason: detail };
  }
}

/**
 * True when the SDK could not parse a response body. Its message is the JSON parser's, which
 * quotes the text around the bad spot: in a GetSecretValue or BatchGetSecretValue answer
 * that text can be a secret value, so it must never be shown.
 */
function unreadableResponse(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { name?: unknown; message?: unknown; $responseBodyText?: unknown };
  return (
    error instanceof SyntaxError ||
    e.name === 'SyntaxError' ||
    e.$responseBodyText !== undefined ||
    (typeof e.message === 'string' && e.message.includes('Deserialization error'))
  );
}

/** {@link failureFromAws} for an error thrown by the SDK. */
export function failureFromError(secretId: string, error: unknown): SecretFailure {
  if (unreadableResponse(error)) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return {
      secretId,
      code: 'E_AWS',
      reason: `the answer from Secrets Manager could not be read${status === undefined ? '' : ` (HTTP ${status})`} and is not shown, as it may hold secret values; check AWS_ENDPOINT_URL and any proxy in between`,
    };
  }
  const info = awsErrorInfo(error);
  if (info.network) {
    return {
      secretId,
      code: 'E_AWS',
      reason: `cannot reach Secrets Manager (${info.message}); check the network, the region and AWS_ENDPOINT_URL`,
    };
  }
  return failureFromAws(secretId, info.code, info.message);
}

/** True when a BatchGetSecretValue failure means "use GetSecretValue instead". */
export function batchUnavailable(error: unknown): boolean {
  const info = awsErrorInfo(error);
  return (
    info.code === 'AccessDeniedException' ||
    info.code === 'AccessDenied' ||
    info.code === 'UnknownOperationException' ||
    info.code === 'InvalidAction' ||
    info.code === 'NotImplemented' ||
    info.code === 'UnsupportedOperation' ||
    info.status === 404 ||
    info.status === 501
  );
}

/**
 * True when a whole BatchGetSecretValue call failed with an error that is about one of its
 * secrets (a missing or undecryptable secret, a malformed id), not about the call: reading
 * that chunk one secret at a time tells which secret it is.
 */
export function batchFailureNamesOneSecret(error: unknown): boolean {
  const { code } = awsErrorInfo(error);
  return (
    code === 'ResourceNotFoundException' ||
    code === 'DecryptionFailure' ||
    code === 'InvalidParameterException' ||
    code === 'InvalidRequestException' ||
    code === 'ValidationException'
  );
}
