import type { Logger } from '@berth/internal';
import type { CloseResult } from '../close-rules.ts';
import { SgIpWindowError } from '../errors.ts';
import type { Window, WindowRule } from '../open-window.ts';
import type { StopSignal } from '../signal-guard.ts';

function ports(rule: WindowRule): string {
  return `${rule.protocol}/${rule.fromPort === rule.toPort ? rule.fromPort : `${rule.fromPort}-${rule.toPort}`}`;
}

/** Logs what a window opened, one line per rule. */
export function logOpened(log: Logger, window: Window): void {
  const from = window.source ? ` (address from ${window.source})` : '';
  log.info(
    `opening for ${window.cidr}${from}, owner ${window.owner}, until ${window.expiresAt.toISOString()}`,
  );
  for (const rule of window.rules) {
    const how =
      rule.mode === 'created'
        ? 'opened'
        : rule.mode === 'joined'
          ? 'joined the identical window'
          : 'already open by a rule this tool does not manage:';
    log.info(`  ${how} ${rule.ruleId} ${rule.groupId} ${ports(rule)}`);
  }
}

/** Logs what closing did. */
export function logClosed(log: Logger, result: CloseResult): void {
  for (const r of result.revoked) log.info(`closed ${r.ruleId} (${r.groupId})`);
  for (const r of result.released)
    log.info(`released ${r.ruleId} (${r.groupId}), still held by ${r.heldBy.join(', ')}`);
  for (const r of result.alreadyClosed) log.info(`${r.ruleId} (${r.groupId}) was already closed`);
  for (const r of result.notOurs) log.warn(`left ${r.ruleId} (${r.groupId}) alone: ${r.reason}`);
}

/** The JSON form of a window. */
export function windowJson(window: Window): Record<string, unknown> {
  return {
    ip: window.ip,
    cidr: window.cidr,
    ...(window.source ? { source: window.source } : {}),
    owner: window.owner,
    expiresAt: window.expiresAt.toISOString(),
    ruleIds: window.ruleIds,
    rules: window.rules,
  };
}

/**
 * After `openWindow` failed: rethrows unless a signal arrived; then (openWindow has closed
 * what it had opened) logs what it verified and returns the signal's exit code.
 */
export function interruptedOpen(
  log: Logger,
  error: unknown,
  stop: Pick<StopSignal, 'received' | 'exitCode'>,
): number {
  if (!stop.received) throw error;
  if (error instanceof SgIpWindowError && error.code !== 'E_IP_DETECTION_FAILED') {
    log.error(error.message);
  } else {
    log.error(`interrupted by ${stop.received} before the window was open`);
  }
  return stop.exitCode();
}
