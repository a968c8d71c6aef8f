/** How a configuration value is written and checked. */
export type ConfigKind = 'string' | 'int' | 'duration' | 'map' | 'enum' | 'object' | 'list';

/** One key of the configuration: its flag, environment variable, kind and help. */
export interface ConfigKeySpec {
  key: string;
  /** Long CLI flag without `--`. */
  flag: string;
  /** Environment variable. */
  env: string;
  kind: ConfigKind;
  required: boolean;
  description: string;
  /** Placeholder in `--help`. */
  valueName: string;
  /** Allowed values of an `enum` key. */
  values?: readonly string[];
}

const spec = (
  key: string,
  kind: ConfigKind,
  required: boolean,
  valueName: string,
  description: string,
  values?: readonly string[],
): ConfigKeySpec => ({
  key,
  flag: key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
  env: `PREVIEW_ENV_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`,
  kind,
  required,
  valueName,
  description,
  ...(values ? { values } : {}),
});

/**
 * Every configuration key, in the order `--help` and the README show them. Each is settable
 * in the file, by flag (`--reference-service`) and by environment (`PREVIEW_ENV_REFERENCE_SERVICE`).
 */
export const CONFIG_KEYS: readonly ConfigKeySpec[] = [
  spec(
    'cluster',
    'string',
    true,
    '<name>',
    'ECS cluster of the reference service and the environments',
  ),
  spec(
    'referenceService',
    'string',
    true,
    '<name>',
    'Running ECS service every environment copies',
  ),
  spec(
    'listenerArn',
    'string',
    true,
    '<arn>',
    'Shared ALB listener that routes host names to environments (or listenerArns)',
  ),
  spec(
    'listenerArns',
    'list',
    false,
    '<arn,...>',
    'Pool of listeners, usually on several ALBs: a new environment goes to the one with most room (needs hostedZoneId)',
  ),
  spec('domain', 'string', true, '<domain>', 'Environment <name> is served at <name>.<domain>'),
  spec(
    'hostedZoneId',
    'string',
    false,
    '<id>',
    'Route 53 zone for a record per environment (leave out with a wildcard record)',
  ),
  spec(
    'namePrefix',
    'string',
    false,
    '<prefix>',
    'Prefix of every resource name (default preview)',
  ),
  spec(
    'container',
    'string',
    false,
    '<name>',
    'Container whose image is replaced (default: the load-balanced one)',
  ),
  spec(
    'ttl',
    'duration',
    false,
    '<duration>',
    'Environments not deployed for longer are swept (default 3d)',
  ),
  spec(
    'sleepAfter',
    'duration',
    false,
    '<duration>',
    'sweep puts environments not deployed or woken for longer to sleep (default: never)',
  ),
  spec('env', 'map', false, '<K=V>', 'Variables added to the container in every environment'),
  spec(
    'secretsFrom',
    'string',
    false,
    '<secret-id>',
    'JSON secret whose keys become container secrets in every environment',
  ),
  spec('desiredCount', 'int', false, '<n>', 'Tasks per new environment (default 1)'),
  spec('priorityMin', 'int', false, '<n>', 'Lowest listener rule priority used (default 1000)'),
  spec('priorityMax', 'int', false, '<n>', 'Highest listener rule priority used (default 50000)'),
  spec('maxRules', 'int', false, '<n>', 'Rules quota of the load balancer (default 100)'),
  spec(
    'maxTargetGroups',
    'int',
    false,
    '<n>',
    'Target groups quota of the load balancer (default 100)',
  ),
  spec(
    'deregistrationDelay',
    'duration',
    false,
    '<duration>',
    'Target group deregistration delay (default 10s)',
  ),
  spec('waitTimeout', 'duration', false, '<duration>', 'How long --wait waits (default 15m)'),
  spec(
    'drainTimeout',
    'duration',
    false,
    '<duration>',
    'How long to wait for a draining service of the same name (default 5m)',
  ),
  spec('scheme', 'enum', false, '<https|http>', 'Scheme of environment URLs (default https)', [
    'https',
    'http',
  ]),
  spec('region', 'string', false, '<region>', "AWS region (default: the listener ARN's region)"),
  spec(
    'access',
    'object',
    false,
    '<json>',
    'Who may reach a preview: allowCidrs, oidc or cognito (a map in the file, JSON by flag or variable)',
  ),
  spec(
    'hooks',
    'object',
    false,
    '<json>',
    'One-off tasks predeploy, postcreate, predelete (a map in the file, JSON by flag or variable)',
  ),
];
