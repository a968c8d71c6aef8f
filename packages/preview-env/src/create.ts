import { randomUUID } from 'node:crypto';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  type Service,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  type Rule,
  type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type Clock, isAwsError, systemClock } from '@berth/internal';
import {
  elbTagsOf,
  familyOf,
  findTargetGroup,
  listRules,
  listTargetGroups,
  ruleMatchesHost,
  ruleTargetGroups,
  takenPriorities,
} from './aws-read.ts';
import { capacityError } from './capacity.ts';
import {
  deleteRuleIfPresent,
  deleteServiceIfPresent,
  deleteTargetGroupIfPresent,
  removeTaskDefinitions,
} from './cleanup.ts';
import { type ResolvedClients, resolveClients } from './clients.ts';
import { configOf, type OperationOptions } from './common.ts';
import { loadBalancerArnOf, type PreviewEnvConfig } from './config.ts';
import { type AliasTarget, aliasInPlace, findRecords, restoreRecords, upsertAlias } from './dns.ts';
import { PreviewEnvError } from './errors.ts';
import { type EnvironmentNames, environmentNames } from './names.ts';
import { pickPriority } from './priority.ts';
import { Rollback } from './rollback.ts';
import { type SecretsSource, secretEntries, secretsSource } from './secrets.ts';
import { serviceInput } from './service.ts';
import { awsStep, type ProgressLogger, round, silentLogger, stepError } from './steps.ts';
import {
  ecsTags,
  elbTags,
  inheritedTags,
  isOwnedBy,
  stateTags,
  TAG,
  type TagMap,
  tagMap,
} from './tags.ts';
import { targetGroupInput } from './target-group.ts';
import { specHash, taskDefinitionInput } from './task-definition.ts';
import { waitForEnvironment, waitWhileDraining } from './wait.ts';

/** Options of {@link createEnvironment}. */
export interface CreateEnvironmentOptions extends OperationOptions {
  /** Image of the replaced container, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.2.3`. */
  image: string;
  /** Variables for this environment (over the configuration's `env` and the reference's). */
  env?: Record<string, string>;
  /** JSON secret whose keys become container secrets (over the configuration's `secretsFrom`). */
  secretsFrom?: string | SecretsSource;
  /** Wait until the service is stable and its targets healthy (`waitTimeout`). */
  wait?: boolean;
  /** Secrets Manager client for `secretsFrom` (default: one made in the configuration's region). */
  secretsManager?: SecretsManagerClient;
}

/** What {@link createEnvironment} did and where the environment is. */
export interface CreateEnvironmentResult {
  /** Environment name (`pr-123`, `feature-login`). */
  name: string;
  /** Pull request number, when the name came from one. */
  pr?: number;
  /** Where the environment answers. */
  url: string;
  host: string;
  serviceName: string;
  serviceArn: string;
  taskDefinitionArn: string;
  targetGroupArn: string;
  ruleArn: string;
  rulePriority: number;
  /** Route 53 record name, when `hostedZoneId` is set. */
  recordName?: string;
  image: string;
  /** True when this call created the environment's service (a new environment). */
  created: boolean;
  /** True when an existing environment got a new deployment. */
  updated: boolean;
  /** True when nothing needed to change (re-create with the same image and settings). */
  unchanged: boolean;
  /** ISO time the environment was first created. */
  createdAt: string;
  /** ISO time of the last deployment. */
  deployedAt: string;
  /** True when `wait` was asked and the service became stable and healthy. */
  waited: boolean;
}

const IMAGE = /^[^\s]{1,255}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkInputs(options: CreateEnvironmentOptions): void {
  if (typeof options.image !== 'string' || !IMAGE.test(options.image)) {
    throw new PreviewEnvError(
      'E_INPUT',
      `image "${options.image ?? ''}" is not an image reference; pass --image <registry>/<repository>:<tag> (up to 255 characters)`,
    );
  }
  for (const key of Object.keys(options.env ?? {})) {
    if (!ENV_NAME.test(key)) {
      throw new PreviewEnvError(
        'E_INPUT',
        `--env ${key}: not a valid variable name (letters, digits and _, not starting with a digit)`,
      );
    }
  }
}

/**
 * Creates the preview environment `name` (a pull request number or a branch name), or
 * deploys `image` to it when it exists. Copies the reference service (task definition,
 * network, capacity, load balancer container and port), gives it a target group, a host rule
 * on the shared listener and, with `hostedZoneId`, a DNS record. Independent AWS calls run in
 * parallel: at most 4 sequential rounds. An unchanged re-create changes nothing. On any
 * failure, what this call created is removed (newest first) and the error names the step.
 *
 * @throws PreviewEnvError with code `E_CONFIG`, `E_NAME`, `E_INPUT`, `E_REFERENCE`,
 *   `E_CONFLICT`, `E_CAPACITY`, `E_DRAINING`, `E_AWS`, `E_ROLLBACK`, `E_WAIT_TIMEOUT` or
 *   `E_DEPLOYMENT_FAILED`.
 * @example
 * ```ts
 * const env = await createEnvironment('123', { image: 'ghcr.io/acme/app:sha-3f2a1c9' });
 * console.log(env.url); // https://pr-123.preview.example.com
 * ```
 */
export async function createEnvironment(
  name: string,
  options: CreateEnvironmentOptions,
): Promise<CreateEnvironmentResult> {
  const config = configOf(options);
  const names = environmentNames(name, config);
  checkInputs(options);
  const secrets = secretsSource(options.secretsFrom ?? config.secretsFrom);
  const clients = resolveClients(config, options.clients, options.aws);
  try {
    return await new Creation(config, names, options, secrets, clients).run();
  } finally {
    clients.release();
  }
}

interface Owned<T> {
  value: T;
  /** True when this call created it (and so its rollback removes it). */
  created: boolean;
}

/** One create call: its inputs, what it found, and how to undo what it made. */
class Creation {
  readonly config: PreviewEnvConfig;
  readonly names: EnvironmentNames;
  readonly options: CreateEnvironmentOptions;
  readonly secrets: SecretsSource | undefined;
  readonly clients: ResolvedClients;
  readonly clock: Clock;
  readonly log: ProgressLogger;
  readonly rollback = new Rollback();
  readonly createId = randomUUID();
  readonly lbArn: string;
  readonly now: string;
  /** Whether another create of the same environment made the rule: its DNS record is not ours to undo. */
  ruleAdopted = false;

  constructor(
    config: PreviewEnvConfig,
    names: EnvironmentNames,
    options: CreateEnvironmentOptions,
    secrets: SecretsSource | undefined,
    clients: ResolvedClients,
  ) {
    this.config = config;
    this.names = names;
    this.options = options;
    this.secrets = secrets;
    this.clients = clients;
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.lbArn = loadBalancerArnOf(config.listenerArn);
    this.now = new Date(this.clock.now()).toISOString();
  }

  async run(): Promise<CreateEnvironmentResult> {
    let result: CreateEnvironmentResult;
    try {
      result = await this.converge();
    } catch (error) {
      throw await this.undo(error);
    }
    if (this.options.wait) {
      this.log.info(`waiting for ${result.serviceName} to be stable and its targets healthy`);
      await waitForEnvironment(
        this.clients.ecs,
        this.clients.elbv2,
        {
          cluster: this.config.cluster,
          serviceName: result.serviceName,
          targetGroupArn: result.targetGroupArn,
          taskDefinitionArn: result.taskDefinitionArn,
          timeoutMs: this.config.waitTimeout,
        },
        this.clock,
        this.log,
      );
      result.waited = true;
    }
    return result;
  }

  async undo(error: unknown): Promise<PreviewEnvError> {
    const failure =
      error instanceof PreviewEnvError ? error : stepError('create', this.names.name, error);
    if (this.rollback.size === 0) return failure;
    const leftovers = await this.rollback.run(this.log);
    if (leftovers.length === 0) {
      failure.message += '; everything this call created was removed';
      return failure;
    }
    return new PreviewEnvError(
      'E_ROLLBACK',
      `${failure.message}; the rollback could not remove ${leftovers.join(', ')}: run "preview-env delete ${this.names.name}" to remove them`,
      {
        cause: failure,
        leftovers,
        ...(failure.step ? { step: failure.step } : {}),
        ...(failure.resource ? { resource: failure.resource } : {}),
        ...(failure.awsCode ? { awsCode: failure.awsCode } : {}),
      },
    );
  }

  async converge(): Promise<CreateEnvironmentResult> {
    const { config, names, clients, log } = this;
    const { ecs, elbv2, route53 } = clients;
    const zone = config.hostedZoneId;

    // Round 1: everything that can be read without knowing anything else.
    log.info(`reading ${config.referenceService}, the listener and environment ${names.name}`);
    const [described, rules, lbGroups, envGroupFound, listeners, lb, recordsBefore, secretList] =
      await round([
        awsStep(
          'read services',
          `${config.referenceService} and ${names.serviceName} in cluster ${config.cluster}`,
          () =>
            ecs.send(
              new DescribeServicesCommand({
                cluster: config.cluster,
                services: [config.referenceService, names.serviceName],
                include: ['TAGS'],
              }),
            ),
        ),
        awsStep('read listener rules', config.listenerArn, () =>
          listRules(elbv2, config.listenerArn),
        ),
        awsStep('read target groups', this.lbArn, () => listTargetGroups(elbv2, this.lbArn)),
        awsStep('read target group', names.targetGroupName, () =>
          findTargetGroup(elbv2, names.targetGroupName),
        ),
        awsStep(
          'read listeners',
          this.lbArn,
          async () =>
            (await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: this.lbArn })))
              .Listeners ?? [],
        ),
        zone
          ? awsStep('read load balancer', this.lbArn, async () => {
              const out = await elbv2.send(
                new DescribeLoadBalancersCommand({ LoadBalancerArns: [this.lbArn] }),
              );
              const found = out.LoadBalancers?.[0];
              return {
                dnsName: found?.DNSName ?? '',
                hostedZoneId: found?.CanonicalHostedZoneId ?? '',
              } satisfies AliasTarget;
            })
          : Promise.resolve(undefined),
        zone
          ? awsStep('read DNS records', names.host, () => findRecords(route53, zone, names.host))
          : Promise.resolve([] as ResourceRecordSet[]),
        this.secrets
          ? awsStep('read secret keys', this.secrets.secretId, () =>
              secretEntries(
                this.secrets as SecretsSource,
                config.region,
                this.options.secretsManager,
                this.options.aws,
              ),
            )
          : Promise.resolve([]),
      ] as const);

    if (!listeners.some((l) => l.ListenerArn === config.listenerArn)) {
      throw new PreviewEnvError(
        'E_REFERENCE',
        `listener ${config.listenerArn} does not exist on its load balancer; check "listenerArn"`,
      );
    }
    const reference = described.services?.find(
      (s) => s.serviceName === config.referenceService || s.serviceArn === config.referenceService,
    );
    if (reference?.status !== 'ACTIVE') {
      throw new PreviewEnvError(
        'E_REFERENCE',
        `reference service ${config.referenceService} ${reference ? `is ${reference.status}` : 'was not found'} in cluster ${config.cluster}; check "referenceService" and "cluster"`,
      );
    }
    const lbEntries = (reference.loadBalancers ?? []).filter(
      (l) => l.targetGroupArn && l.containerName,
    );
    const entry = config.container
      ? lbEntries.find((l) => l.containerName === config.container)
      : lbEntries.length === 1
        ? lbEntries[0]
        : undefined;
    if (!entry?.targetGroupArn || !entry.containerName || entry.containerPort === undefined) {
      throw new PreviewEnvError(
        'E_REFERENCE',
        config.container
          ? `reference service ${reference.serviceName} has no load balancer target group for container "${config.container}"; set "container" to the load-balanced one (${lbEntries.map((l) => l.containerName).join(', ') || 'none'})`
          : `reference service ${reference.serviceName} has ${lbEntries.length} load-balanced containers; it must have one, or set "container"`,
      );
    }
    const container = entry.containerName;
    const containerPort = entry.containerPort;

    let existing = described.services?.find(
      (s) => s.serviceName === names.serviceName && s.status !== 'INACTIVE',
    );
    if (existing?.status === 'DRAINING') {
      existing = await waitWhileDraining(
        ecs,
        config.cluster,
        names.serviceName,
        config.drainTimeout,
        this.clock,
        log,
      );
    }
    const existingTags = tagMap(existing?.tags);
    if (existing && !isOwnedBy(existingTags, config.namePrefix, names.name)) {
      throw new PreviewEnvError(
        'E_CONFLICT',
        `service ${names.serviceName} exists in cluster ${config.cluster} but is not preview environment ${names.name} (no ${TAG.name} tag); rename it or change "namePrefix"`,
        { resource: existing.serviceArn ?? names.serviceName },
      );
    }
    let envGroup = envGroupFound;
    if (envGroup?.LoadBalancerArns?.length && !envGroup.LoadBalancerArns.includes(this.lbArn)) {
      throw new PreviewEnvError(
        'E_CONFLICT',
        `target group ${names.targetGroupName} belongs to another load balancer (${envGroup.LoadBalancerArns[0]}); change "namePrefix"`,
        { resource: envGroup.TargetGroupArn ?? names.targetGroupName },
      );
    }
    let rule = rules.find((r) => ruleMatchesHost(r, names.host));

    const needRule = !rule;
    const needGroup = !envGroup?.LoadBalancerArns?.includes(this.lbArn);
    const rulesHere = rules.filter((r) => !r.IsDefault).length;
    if (needGroup && lbGroups.length + 1 > config.maxTargetGroups) {
      throw await capacityError(
        'target groups',
        lbGroups.length,
        config.maxTargetGroups,
        config,
        clients,
        this.clock.now(),
      );
    }
    if (needRule && rulesHere + 1 > config.maxRules) {
      throw await capacityError(
        'rules',
        rulesHere,
        config.maxRules,
        config,
        clients,
        this.clock.now(),
      );
    }

    // Round 2: the reference task definition, the target group, and what round 1 pointed at.
    const otherListeners = needRule
      ? listeners.filter((l) => l.ListenerArn !== config.listenerArn)
      : [];
    const ownedArns = [envGroup?.TargetGroupArn, rule?.RuleArn].filter((a): a is string =>
      Boolean(a),
    );
    const [referenceTd, group, otherRules, ownership] = await round([
      awsStep('read reference task definition', reference.taskDefinition ?? '?', () =>
        ecs.send(
          new DescribeTaskDefinitionCommand({
            taskDefinition: reference.taskDefinition,
            include: ['TAGS'],
          }),
        ),
      ),
      envGroup
        ? Promise.resolve<Owned<TargetGroup>>({ value: envGroup, created: false })
        : this.createTargetGroup(
            entry.targetGroupArn,
            lbGroups.find((g) => g.TargetGroupArn === entry.targetGroupArn),
          ),
      Promise.all(
        otherListeners.map((l) =>
          awsStep('read listener rules', l.ListenerArn ?? '?', () =>
            listRules(elbv2, l.ListenerArn as string),
          ),
        ),
      ),
      ownedArns.length
        ? awsStep('read tags', ownedArns.join(', '), () => elbTagsOf(elbv2, ownedArns))
        : Promise.resolve(new Map<string, TagMap>()),
    ] as const);
    envGroup = group.value;
    const groupArn = envGroup.TargetGroupArn as string;
    for (const [arn, what] of [
      [envGroupFound?.TargetGroupArn, `target group ${names.targetGroupName}`],
      [rule?.RuleArn, `listener rule for ${names.host} (priority ${rule?.Priority})`],
    ] as const) {
      if (arn && !isOwnedBy(ownership.get(arn) ?? {}, config.namePrefix, names.name)) {
        throw new PreviewEnvError(
          'E_CONFLICT',
          `${what} exists but is not preview environment ${names.name}'s (no ${TAG.name} tag); remove it or change "namePrefix"/"domain"`,
          { resource: arn },
        );
      }
    }
    const rulesElsewhere = otherRules.flat().filter((r) => !r.IsDefault).length;
    if (needRule && rulesHere + rulesElsewhere + 1 > config.maxRules) {
      throw await capacityError(
        'rules',
        rulesHere + rulesElsewhere,
        config.maxRules,
        config,
        clients,
        this.clock.now(),
      );
    }

    const td = referenceTd.taskDefinition;
    if (!td)
      throw new PreviewEnvError(
        'E_REFERENCE',
        `reference task definition ${reference.taskDefinition} was not found`,
      );
    const tdInput = taskDefinitionInput(td, {
      family: names.family,
      container,
      image: this.options.image,
      env: { ...config.env, ...this.options.env },
      secrets: secretList,
    });
    const spec = specHash(tdInput);
    const groupTags = envGroupFound?.TargetGroupArn
      ? ownership.get(envGroupFound.TargetGroupArn)
      : undefined;
    const createdAt = existingTags[TAG.createdAt] ?? groupTags?.[TAG.createdAt] ?? this.now;
    const state = stateTags(names, config.namePrefix, {
      createdAt,
      deployedAt: this.now,
      image: this.options.image,
      spec,
    });
    const ours = Object.keys(state).length;
    tdInput.tags = ecsTags({ ...inheritedTags(tagMap(referenceTd.tags), 50 - ours), ...state });

    const recordOk = !zone || (lb !== undefined && aliasInPlace(recordsBefore, lb));
    const ruleOk = rule !== undefined && ruleTargetGroups(rule).includes(groupArn);
    const serviceGroupOk =
      existing?.loadBalancers?.some((l) => l.targetGroupArn === groupArn) ?? false;
    const tdOk =
      existing !== undefined &&
      existingTags[TAG.spec] === spec &&
      existingTags[TAG.image] === this.options.image &&
      familyOf(existing.taskDefinition ?? '') === names.family;
    if (existing && tdOk && ruleOk && recordOk && serviceGroupOk && !group.created) {
      log.info(`${names.name} is already up to date at ${names.url}`);
      return this.result(existing, existing.taskDefinition as string, groupArn, rule as Rule, {
        created: false,
        updated: false,
        unchanged: true,
        createdAt,
        deployedAt: existingTags[TAG.deployedAt] ?? createdAt,
      });
    }

    // Round 3: the task definition, the rule (needs the target group), the DNS record.
    const [taskDefinitionArn, finalRule] = await round([
      tdOk
        ? Promise.resolve(existing?.taskDefinition as string)
        : this.registerTaskDefinition(tdInput),
      ruleOk
        ? Promise.resolve(rule as Rule)
        : rule
          ? this.pointRule(rule, groupArn)
          : this.createRule(rules, groupArn, state),
      group.created
        ? awsStep('set target group attributes', names.targetGroupName, () =>
            elbv2.send(
              new ModifyTargetGroupAttributesCommand({
                TargetGroupArn: groupArn,
                Attributes: [
                  {
                    Key: 'deregistration_delay.timeout_seconds',
                    Value: String(config.deregistrationDelay / 1000),
                  },
                ],
              }),
            ),
          )
        : Promise.resolve(undefined),
      zone && !recordOk && lb ? this.upsertRecord(zone, lb, recordsBefore) : Promise.resolve(),
      existing && !group.created
        ? this.retagLoadBalancing(
            [groupArn, rule?.RuleArn].filter((a): a is string => Boolean(a)),
            state,
            ownership,
          )
        : Promise.resolve(),
    ] as const);
    rule = finalRule;

    // Round 4: the service, now that the rule forwards to its target group (AWS requires it).
    const service = existing
      ? await this.updateService(
          existing,
          taskDefinitionArn,
          groupArn,
          container,
          containerPort,
          state,
        )
      : await this.createService(
          reference,
          taskDefinitionArn,
          groupArn,
          container,
          containerPort,
          state,
        );
    log.info(`${existing ? 'deployed' : 'created'} ${names.name} at ${names.url}`);
    return this.result(service.value, taskDefinitionArn, groupArn, rule, {
      created: service.created,
      updated: !service.created,
      unchanged: false,
      createdAt,
      deployedAt: this.now,
    });
  }

  result(
    service: Service,
    taskDefinitionArn: string,
    targetGroupArn: string,
    rule: Rule,
    fields: Pick<
      CreateEnvironmentResult,
      'created' | 'updated' | 'unchanged' | 'createdAt' | 'deployedAt'
    >,
  ): CreateEnvironmentResult {
    const { names } = this;
    return {
      name: names.name,
      ...(names.pr === undefined ? {} : { pr: names.pr }),
      url: names.url,
      host: names.host,
      serviceName: names.serviceName,
      serviceArn: service.serviceArn as string,
      taskDefinitionArn,
      targetGroupArn,
      ruleArn: rule.RuleArn as string,
      rulePriority: Number(rule.Priority),
      ...(this.config.hostedZoneId ? { recordName: names.host } : {}),
      image: this.options.image,
      ...fields,
      waited: false,
    };
  }

  async createTargetGroup(
    referenceArn: string,
    known: TargetGroup | undefined,
  ): Promise<Owned<TargetGroup>> {
    const { elbv2 } = this.clients;
    const { names, config } = this;
    const reference =
      known ??
      (await awsStep('read reference target group', referenceArn, async () => {
        const out = await elbv2.send(
          new DescribeTargetGroupsCommand({ TargetGroupArns: [referenceArn] }),
        );
        return out.TargetGroups?.[0] as TargetGroup;
      }));
    const tags = stateTags(names, config.namePrefix, {
      createdAt: this.now,
      deployedAt: this.now,
      image: this.options.image,
      createId: this.createId,
    });
    const input = targetGroupInput(reference, names.targetGroupName, elbTags(tags));
    try {
      const out = await elbv2.send(new CreateTargetGroupCommand(input));
      const group = out.TargetGroups?.[0] as TargetGroup;
      const arn = group.TargetGroupArn as string;
      this.rollback.add(`target group ${names.targetGroupName}`, (failed) => {
        if (failed.some((f) => f.startsWith('listener rule'))) {
          throw new Error('the listener rule that forwards to it is still there');
        }
        return this.undoTargetGroup(arn);
      });
      return { value: group, created: true };
    } catch (error) {
      if (!isAwsError(error, 'DuplicateTargetGroupName', 'DuplicateTargetGroupNameException')) {
        throw stepError('create target group', names.targetGroupName, error);
      }
    }
    // Another create of this environment made it between our read and our create.
    const group = await awsStep('read target group', names.targetGroupName, () =>
      findTargetGroup(elbv2, names.targetGroupName),
    );
    const tags2 = group?.TargetGroupArn
      ? (
          await awsStep('read tags', group.TargetGroupArn, () =>
            elbTagsOf(elbv2, [group.TargetGroupArn as string]),
          )
        ).get(group.TargetGroupArn)
      : undefined;
    if (!group || !isOwnedBy(tags2 ?? {}, config.namePrefix, names.name)) {
      throw new PreviewEnvError(
        'E_CONFLICT',
        `target group ${names.targetGroupName} already exists and is not preview environment ${names.name}'s; change "namePrefix"`,
        { step: 'create target group', resource: names.targetGroupName },
      );
    }
    return { value: group, created: false };
  }

  /**
   * Removes the target group this call created. Where CreateTargetGroup is idempotent (real
   * AWS), a concurrent create of the same environment may have made it: its create-id tag
   * says whose it is, and another call's group stays.
   */
  async undoTargetGroup(arn: string): Promise<void> {
    const { elbv2 } = this.clients;
    let tags: TagMap | undefined;
    try {
      tags = (await elbTagsOf(elbv2, [arn])).get(arn);
    } catch (error) {
      if (isAwsError(error, 'TargetGroupNotFound', 'TargetGroupNotFoundException')) return;
      // unsure whose it is: leave it, and let the rollback report it
      throw error;
    }
    // Not tagged with this call's id (another create's, or someone's group AWS handed back
    // because the settings matched): not ours to remove.
    if (tags?.[TAG.createId] !== this.createId) return;
    await deleteTargetGroupIfPresent(elbv2, arn, this.clock);
  }

  async registerTaskDefinition(
    input: ConstructorParameters<typeof RegisterTaskDefinitionCommand>[0],
  ): Promise<string> {
    const { ecs } = this.clients;
    const out = await awsStep('register task definition', this.names.family, () =>
      ecs.send(new RegisterTaskDefinitionCommand(input)),
    );
    const arn = out.taskDefinition?.taskDefinitionArn as string;
    this.rollback.add(`task definition ${arn.split('/').pop()}`, () =>
      removeTaskDefinitions(ecs, { active: [arn], inactive: [] }),
    );
    return arn;
  }

  async createRule(rulesAtStart: readonly Rule[], groupArn: string, state: TagMap): Promise<Rule> {
    const { elbv2 } = this.clients;
    const { config, names, log } = this;
    let taken = takenPriorities(rulesAtStart);
    for (let attempt = 0; attempt < 8; attempt++) {
      const priority = pickPriority(names.name, taken, config.priorityMin, config.priorityMax);
      if (priority === undefined) {
        throw await capacityError(
          'rule priorities',
          taken.size,
          0,
          config,
          this.clients,
          this.clock.now(),
        );
      }
      try {
        const out = await elbv2.send(
          new CreateRuleCommand({
            ListenerArn: config.listenerArn,
            Priority: priority,
            Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [names.host] } }],
            Actions: [{ Type: 'forward', TargetGroupArn: groupArn }],
            Tags: elbTags(state),
          }),
        );
        const rule = out.Rules?.[0] as Rule;
        this.rollback.add(`listener rule for ${names.host}`, () =>
          deleteRuleIfPresent(elbv2, rule.RuleArn as string),
        );
        return rule;
      } catch (error) {
        if (!isAwsError(error, 'PriorityInUse', 'PriorityInUseException')) {
          throw stepError('create listener rule', `${names.host} (priority ${priority})`, error);
        }
        log.debug?.(`priority ${priority} was taken meanwhile; reading the rules again`);
      }
      const fresh = await awsStep('read listener rules', config.listenerArn, () =>
        listRules(elbv2, config.listenerArn),
      );
      const mine = fresh.find((r) => ruleMatchesHost(r, names.host));
      if (mine) {
        // A concurrent create of this environment made the rule: use it, it is not ours to undo.
        this.ruleAdopted = true;
        return ruleTargetGroups(mine).includes(groupArn) ? mine : this.pointRule(mine, groupArn);
      }
      taken = takenPriorities(fresh);
      taken.add(priority);
    }
    throw new PreviewEnvError(
      'E_AWS',
      `create listener rule failed for ${names.host}: the priorities tried kept being taken by other rules; retry`,
      { step: 'create listener rule', resource: names.host, retryable: true },
    );
  }

  async pointRule(rule: Rule, groupArn: string): Promise<Rule> {
    const { elbv2 } = this.clients;
    const before = rule.Actions;
    const out = await awsStep('point listener rule at target group', rule.RuleArn as string, () =>
      elbv2.send(
        new ModifyRuleCommand({
          RuleArn: rule.RuleArn,
          Actions: [{ Type: 'forward', TargetGroupArn: groupArn }],
        }),
      ),
    );
    if (!this.ruleAdopted && before) {
      this.rollback.add(`listener rule change for ${this.names.host}`, () =>
        elbv2.send(new ModifyRuleCommand({ RuleArn: rule.RuleArn, Actions: before })),
      );
    }
    return out.Rules?.[0] ?? rule;
  }

  async upsertRecord(zone: string, lb: AliasTarget, before: ResourceRecordSet[]): Promise<void> {
    const { route53 } = this.clients;
    const { names } = this;
    await awsStep('write DNS record', names.host, () =>
      upsertAlias(route53, zone, names.host, lb, before),
    );
    this.rollback.add(`DNS record ${names.host}`, async () => {
      if (this.ruleAdopted) return;
      await restoreRecords(route53, zone, names.host, before);
    });
  }

  async retagLoadBalancing(
    arns: string[],
    state: TagMap,
    before: Map<string, TagMap>,
  ): Promise<void> {
    const { elbv2 } = this.clients;
    const { [TAG.createdAt]: _keep, [TAG.spec]: _spec, ...fresh } = state;
    await awsStep('tag target group and rule', arns.join(', '), () =>
      elbv2.send(new AddTagsCommand({ ResourceArns: arns, Tags: elbTags(fresh) })),
    );
    this.rollback.add('tags of the target group and rule', () =>
      Promise.all(
        arns.map((arn) => {
          const old = before.get(arn) ?? {};
          const previous = Object.fromEntries(
            Object.keys(fresh)
              .filter((k) => k in old)
              .map((k) => [k, old[k] as string]),
          );
          return Object.keys(previous).length
            ? elbv2.send(new AddTagsCommand({ ResourceArns: [arn], Tags: elbTags(previous) }))
            : undefined;
        }),
      ),
    );
  }

  async createService(
    reference: Service,
    taskDefinitionArn: string,
    groupArn: string,
    container: string,
    containerPort: number,
    state: TagMap,
  ): Promise<Owned<Service>> {
    const { ecs } = this.clients;
    const { config, names } = this;
    const input = serviceInput(reference, {
      cluster: config.cluster,
      serviceName: names.serviceName,
      taskDefinitionArn,
      targetGroupArn: groupArn,
      container,
      containerPort,
      desiredCount: config.desiredCount,
      tags: ecsTags({
        ...inheritedTags(tagMap(reference.tags), 50 - Object.keys(state).length),
        ...state,
      }),
    });
    try {
      const out = await ecs.send(new CreateServiceCommand(input));
      const service = out.service as Service;
      this.rollback.add(`service ${names.serviceName}`, () =>
        deleteServiceIfPresent(ecs, config.cluster, names.serviceName),
      );
      return { value: service, created: true };
    } catch (error) {
      const raced =
        isAwsError(error, 'InvalidParameterException') &&
        /not idempotent|already exists/i.test((error as Error).message ?? '');
      if (!raced) throw stepError('create service', names.serviceName, error);
    }
    // A concurrent create of this environment made the service first: deploy to it instead.
    const out = await awsStep('read service', names.serviceName, () =>
      ecs.send(
        new DescribeServicesCommand({
          cluster: config.cluster,
          services: [names.serviceName],
          include: ['TAGS'],
        }),
      ),
    );
    const current = out.services?.find((s) => s.status === 'ACTIVE');
    if (!current)
      throw new PreviewEnvError(
        'E_AWS',
        `create service failed for ${names.serviceName}: it exists but is not ACTIVE; retry`,
        { step: 'create service', resource: names.serviceName, retryable: true },
      );
    return this.updateService(
      current,
      taskDefinitionArn,
      groupArn,
      container,
      containerPort,
      state,
    );
  }

  async updateService(
    existing: Service,
    taskDefinitionArn: string,
    groupArn: string,
    container: string,
    containerPort: number,
    state: TagMap,
  ): Promise<Owned<Service>> {
    const { ecs } = this.clients;
    const { config, names } = this;
    const groupOk = existing.loadBalancers?.some((l) => l.targetGroupArn === groupArn) ?? false;
    const { [TAG.createdAt]: _created, ...fresh } = state;
    const [updated] = await round([
      awsStep('update service', names.serviceName, async () => {
        const out = await ecs.send(
          new UpdateServiceCommand({
            cluster: config.cluster,
            service: names.serviceName,
            taskDefinition: taskDefinitionArn,
            ...(groupOk
              ? {}
              : {
                  loadBalancers: [
                    { targetGroupArn: groupArn, containerName: container, containerPort },
                  ],
                }),
          }),
        );
        if (existing.taskDefinition && existing.taskDefinition !== taskDefinitionArn) {
          this.rollback.add(`deployment of ${names.serviceName}`, () =>
            ecs.send(
              new UpdateServiceCommand({
                cluster: config.cluster,
                service: names.serviceName,
                taskDefinition: existing.taskDefinition,
              }),
            ),
          );
        }
        return out.service as Service;
      }),
      awsStep('tag service', names.serviceName, async () => {
        await ecs.send(
          new TagResourceCommand({ resourceArn: existing.serviceArn, tags: ecsTags(fresh) }),
        );
        const before = tagMap(existing.tags);
        const previous = Object.fromEntries(
          Object.keys(fresh)
            .filter((k) => k in before)
            .map((k) => [k, before[k] as string]),
        );
        this.rollback.add(`tags of ${names.serviceName}`, () =>
          ecs.send(
            new TagResourceCommand({ resourceArn: existing.serviceArn, tags: ecsTags(previous) }),
          ),
        );
      }),
    ] as const);
    return { value: updated ?? existing, created: false };
  }
}
