import { awsErrorInfo, awsFailure } from '@berth/internal';
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
 * {@link failureFromAws} for an error thrown by the SDK. Failures that are not about the
 * secret (no answer in time, no network, an answer that cannot be read) are worded by
 * `awsFailure`, which never quotes an unreadable answer (it may hold secret values).
 */
export function failureFromError(secretId: string, error: unknown): SecretFailure {
  const info = awsErrorInfo(error);
  const f = awsFailure(error, { doing: 'read it', iamActions: ['secretsmanager:GetSecretValue'] });
  if (f.message.includes('could not be read') || info.network || f.lostResponse) {
    return { secretId, code: 'E_AWS', reason: f.message.replace(/^could not read it: /, '') };
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
