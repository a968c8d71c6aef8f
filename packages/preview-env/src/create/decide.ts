import type { Service } from '@aws-sdk/client-ecs';
import { familyOf } from '../aws-read.ts';
import { TAG, type TagMap } from '../tags.ts';

/** What a create found and wants, as far as the "what to write" decision needs it. */
export interface PlanInput {
  /** The environment's ACTIVE service, if any. */
  existing: Pick<Service, 'taskDefinition' | 'loadBalancers'> | undefined;
  existingTags: TagMap;
  /** Task definition family of the environment. */
  family: string;
  /** Hash of the wanted task definition input, and the wanted image. */
  spec: string;
  image: string;
  /** The environment's target group, and whether this call just created it. */
  targetGroupArn: string;
  targetGroupCreated: boolean;
  /** Whether a rule exists for the host, and whether it is exactly as wanted. */
  ruleExists: boolean;
  ruleInPlace: boolean;
  /** Whether the DNS record is in place (or not wanted). */
  recordInPlace: boolean;
  /** The environment was put to sleep: a create wakes it (the service is updated). */
  asleep?: boolean;
}

/** The writes a create makes. */
export interface Plan {
  /** Nothing to write: the environment is already as asked. */
  upToDate: boolean;
  /** A new task definition revision (false: the service's current one is it). */
  registerTaskDefinition: boolean;
  rule: 'keep' | 'modify' | 'create';
  writeRecord: boolean;
  /** The deregistration delay of a target group this call created. */
  setTargetGroupAttributes: boolean;
  /** New deployed-at / image tags on the existing target group and rule. */
  retagLoadBalancing: boolean;
  service: 'create' | 'update' | 'keep';
}

/**
 * Decides what a create writes, from what it found: a pure function, so "already up to
 * date" is one place and testable without AWS. Up to date means the service runs a revision
 * of the environment's family made from the same input (`preview-env:spec`) and image, behind
 * the environment's target group, whose rule and record are as wanted.
 */
export function planCreate(input: PlanInput): Plan {
  const { existing } = input;
  const serviceGroupOk =
    existing?.loadBalancers?.some((l) => l.targetGroupArn === input.targetGroupArn) ?? false;
  const taskDefinitionOk =
    existing !== undefined &&
    input.existingTags[TAG.spec] === input.spec &&
    input.existingTags[TAG.image] === input.image &&
    familyOf(existing.taskDefinition ?? '') === input.family;
  const upToDate =
    existing !== undefined &&
    !input.asleep &&
    taskDefinitionOk &&
    input.ruleInPlace &&
    input.recordInPlace &&
    serviceGroupOk &&
    !input.targetGroupCreated;
  if (upToDate) {
    return {
      upToDate,
      registerTaskDefinition: false,
      rule: 'keep',
      writeRecord: false,
      setTargetGroupAttributes: false,
      retagLoadBalancing: false,
      service: 'keep',
    };
  }
  return {
    upToDate,
    registerTaskDefinition: !taskDefinitionOk,
    rule: input.ruleInPlace ? 'keep' : input.ruleExists ? 'modify' : 'create',
    writeRecord: !input.recordInPlace,
    setTargetGroupAttributes: input.targetGroupCreated,
    // deployed-at and image tags change with a deploy, not with a rule or record fix
    retagLoadBalancing: existing !== undefined && !input.targetGroupCreated && !taskDefinitionOk,
    service: !existing
      ? 'create'
      : taskDefinitionOk && serviceGroupOk && !input.asleep
        ? 'keep'
        : 'update',
  };
}
