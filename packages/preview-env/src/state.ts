import type { Action } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { TagMap } from './tags.ts';

/**
 * Tag keys of an environment's sleep state. They live on the service (the state, the desired
 * count to restore, when it was put to sleep or woken) and on the listener rule (the target
 * group the rule forwarded to before it answered the asleep page): everything a `wake` needs
 * is in AWS, none of it on the machine that ran `sleep`.
 */
export const SLEEP_TAG = {
  /** `asleep` while asleep, `running` after a wake or a deploy. */
  state: 'preview-env:state',
  /** Desired count before the sleep; `wake` restores it. */
  desiredCount: 'preview-env:desired-count',
  /** ISO time of the last sleep. */
  sleptAt: 'preview-env:slept-at',
  /** ISO time of the last wake: `sweep --sleep-after` counts idle time from it too. */
  wokenAt: 'preview-env:woken-at',
  /** On the rule: the target group its forward action pointed at before the sleep. */
  forwardTo: 'preview-env:forward-to',
} as const;

/** True when the service's tags say the environment was put to sleep. */
export function isAsleep(serviceTags: TagMap): boolean {
  return serviceTags[SLEEP_TAG.state] === 'asleep';
}

/**
 * The desired count an asleep environment gets back: the one saved at the sleep, else
 * `fallback` (the configuration's `desiredCount`).
 */
export function savedDesiredCount(serviceTags: TagMap, fallback: number): number {
  const saved = Number(serviceTags[SLEEP_TAG.desiredCount]);
  return Number.isInteger(saved) && saved > 0 ? saved : fallback;
}

/**
 * Milliseconds since the environment was last used: deployed (or created) or woken,
 * whichever is later; undefined when no time is recorded.
 */
export function lastActiveAt(tags: TagMap, deployedAtKey: string, createdAtKey: string): number {
  const times = [tags[deployedAtKey] ?? tags[createdAtKey], tags[SLEEP_TAG.wokenAt]]
    .map((t) => Date.parse(t ?? ''))
    .filter((t) => !Number.isNaN(t));
  return times.length ? Math.max(...times) : Number.NaN;
}

/** True when a rule's actions answer the asleep page instead of forwarding. */
export function answersAsleepPage(actions: readonly Action[] | undefined): boolean {
  const list = actions ?? [];
  return (
    list.some((a) => a.Type === 'fixed-response') &&
    !list.some((a) => a.Type === 'forward' || a.Type === 'redirect')
  );
}

/** The target group a rule forwards to (its forward action), if any. */
export function forwardTarget(actions: readonly Action[] | undefined): string | undefined {
  const forward = (actions ?? []).find((a) => a.Type === 'forward');
  return (
    forward?.TargetGroupArn ??
    forward?.ForwardConfig?.TargetGroups?.find((t) => t.TargetGroupArn)?.TargetGroupArn
  );
}

/**
 * An authenticate action as ModifyRule must be sent it to keep the client secret ALB already
 * holds: DescribeRules never returns the secret, so the action is re-sent with
 * `UseExistingClientSecret` (OIDC). Cognito actions carry no secret.
 */
function keepAuthentication(action: Action): Action {
  if (action.Type !== 'authenticate-oidc' || !action.AuthenticateOidcConfig) return action;
  const { ClientSecret: _secret, ...config } = action.AuthenticateOidcConfig;
  return {
    ...action,
    AuthenticateOidcConfig: { ...config, UseExistingClientSecret: true },
  };
}

/** A forward action as ModifyRule takes it: one target group, no echo of ForwardConfig. */
function forwardAction(order: number | undefined, targetGroupArn: string): Action {
  return {
    Type: 'forward',
    TargetGroupArn: targetGroupArn,
    ...(order === undefined ? {} : { Order: order }),
  };
}

/**
 * The rule's actions while asleep: the forward action becomes a fixed 503 response with the
 * asleep page, in the same place; authenticate actions before it stay (a protected preview's
 * asleep page is protected too).
 */
export function sleepingActions(actions: readonly Action[], page: string): Action[] {
  return actions.map((a) =>
    a.Type === 'forward'
      ? {
          Type: 'fixed-response',
          ...(a.Order === undefined ? {} : { Order: a.Order }),
          FixedResponseConfig: { StatusCode: '503', ContentType: 'text/html', MessageBody: page },
        }
      : keepAuthentication(a),
  );
}

/**
 * The rule's actions after a wake: the asleep page becomes the forward action to
 * `targetGroupArn` again, in the same place; the rest as they are.
 */
export function wokenActions(actions: readonly Action[], targetGroupArn: string): Action[] {
  return actions.map((a) =>
    a.Type === 'fixed-response' ? forwardAction(a.Order, targetGroupArn) : keepAuthentication(a),
  );
}

/** The same actions in the form ModifyRule takes them (for undoing a change). */
export function resendableActions(actions: readonly Action[]): Action[] {
  return actions.map((a) =>
    a.Type === 'forward' ? forwardAction(a.Order, forwardTarget([a]) ?? '') : keepAuthentication(a),
  );
}
