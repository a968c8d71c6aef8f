import type { OperationContext } from '../context.ts';
import type { EnvironmentNames } from '../names.ts';
import type { Rollback } from '../rollback.ts';
import type { SecretsSource } from '../secrets.ts';

/** What a create was asked to do (validated). */
export interface CreateRequest {
  image: string;
  /** Variables for this environment (over the configuration's `env`). */
  env: Record<string, string>;
  secretsFrom?: SecretsSource | undefined;
  wait: boolean;
}

/**
 * One create call: the operation context plus its inputs and how to undo what it made. Every
 * step module (target group, listener rule, task definition, DNS, service) takes this.
 */
export interface CreateContext extends OperationContext {
  readonly names: EnvironmentNames;
  readonly request: CreateRequest;
  /** Undo steps of what this call made, run newest first when it fails. */
  readonly rollback: Rollback;
  /** Random id tagged on what this call creates: its rollback removes only its own. */
  readonly createId: string;
  /** ISO time of this call (created-at / deployed-at tags). */
  readonly now: string;
  /**
   * The listener the environment is on: `listenerArn`, or with a pool (`listenerArns`) the
   * one round 1 placed it on (where its rule is, or the one with most room).
   */
  listenerArn: string;
  /** The load balancer of {@link listenerArn}. */
  lbArn: string;
  /** Set when a concurrent create of the same environment made the rule: its DNS record is not ours to undo. */
  ruleAdopted: boolean;
}

/** A resource, and whether this call created it (and so its rollback removes it). */
export interface Owned<T> {
  value: T;
  created: boolean;
}
