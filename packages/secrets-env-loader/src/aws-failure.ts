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

/** {@link failureFromAws} for an error thrown by the SDK. */
export function failureFromError(secretId: string, error: unknown): SecretFailure {
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
