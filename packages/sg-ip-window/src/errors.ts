import { BerthError } from '@berth/internal';

/**
 * Stable codes of {@link SgIpWindowError}:
 * - `E_INPUT`: an option is malformed (group id, port, protocol, address, ttl, owner...); exit 2.
 * - `E_WIDE_CIDR`: a CIDR wider than one host without `allowWide`, wider than /16 (IPv4) or /48
 *   (IPv6) without `confirmWide`, or `0.0.0.0/0` / `::/0`; exit 2.
 * - `E_IP_DETECTION_FAILED`: no IP source gave a public address in time.
 * - `E_GROUP_NOT_FOUND`: a security group does not exist (or is not visible to the caller).
 * - `E_RULE_LIMIT`: a security group is full (`RulesPerSecurityGroupLimitExceeded`).
 * - `E_NOT_OURS`: a rule given to `sg-ip-window close` carries no sg-ip-window tags (or is in
 *   another group); it was left alone.
 * - `E_CLOSE_FAILED`: some rules could not be closed (their ids are in the message).
 * - `E_INTERRUPTED`: the `signal` aborted while opening; the rules were closed again.
 * - `E_AWS`: any other AWS failure.
 */
export type SgIpWindowErrorCode =
  | 'E_INPUT'
  | 'E_WIDE_CIDR'
  | 'E_IP_DETECTION_FAILED'
  | 'E_GROUP_NOT_FOUND'
  | 'E_RULE_LIMIT'
  | 'E_NOT_OURS'
  | 'E_CLOSE_FAILED'
  | 'E_INTERRUPTED'
  | 'E_AWS';

/**
 * The one error class of `@berth/sg-ip-window`. Match on `code`; messages name the input
 * or the security group and rule involved, and what to do next.
 *
 * @example
 * ```ts
 * try {
 *   await openWindow({ groupIds: ['sg-0123456789abcdef0'], ports: 22 });
 * } catch (error) {
 *   if (error instanceof SgIpWindowError && error.code === 'E_RULE_LIMIT') {
 *     await sweep({ groupIds: ['sg-0123456789abcdef0'] });
 *   }
 * }
 * ```
 */
export class SgIpWindowError extends BerthError<SgIpWindowErrorCode> {
  override readonly name = 'SgIpWindowError';
}

/** A bad option: exit code 2, nothing changed. */
export function invalidInput(message: string): SgIpWindowError {
  return new SgIpWindowError('E_INPUT', message, { exitCode: 2 });
}
