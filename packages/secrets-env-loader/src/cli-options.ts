import type { OptionSpecs } from '@berth/internal';
import { UsageError } from '@berth/internal';
import type { LoadSecretsOptions, SecretRequest } from './load-secrets.ts';
import { parseSecretSpec } from './secret-spec.ts';

/** Options every loading command takes. */
export const LOAD_OPTIONS = {
  secret: {
    type: 'string',
    multiple: true,
    valueName: '<id>[=<alias>]',
    description:
      'Secret name, ARN or prefix* (alias: variable name of a plain secret, prefix of a JSON one)',
  },
  'name-transform': {
    type: 'string',
    valueName: 'upper|none',
    description: 'Upper-case variable names (default) or keep the keys as spelled',
  },
  'on-conflict': {
    type: 'string',
    valueName: 'error|last-wins',
    description: 'Two secrets giving one variable: fail (default) or let the later one win',
  },
  'version-stage': {
    type: 'string',
    valueName: '<stage>',
    description: 'Read this staging label of every secret (e.g. AWSPREVIOUS)',
  },
  'version-id': {
    type: 'string',
    valueName: '<id>',
    description: 'Read this version (one named secret only)',
  },
  region: { type: 'string', valueName: '<region>', description: 'AWS region (default AWS_REGION)' },
} as const satisfies OptionSpecs;

type LoadValues = {
  secret?: string[];
  'name-transform'?: string;
  'on-conflict'?: string;
  'version-stage'?: string;
  'version-id'?: string;
  region?: string;
};

/** Checks one of a fixed set of values. */
export function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`--${flag} must be ${allowed.join(' or ')}, not "${value}"`);
  }
  return value as T;
}

/** The `--secret` values as requests, with the version flags applied. */
export function secretRequests(values: LoadValues): SecretRequest[] {
  const specs = values.secret ?? [];
  if (specs.length === 0) throw new UsageError('missing --secret <id>: name at least one secret');
  const stage = values['version-stage'];
  const id = values['version-id'];
  if (stage !== undefined && id !== undefined)
    throw new UsageError('give --version-stage or --version-id, not both');
  if (
    id !== undefined &&
    (specs.length > 1 || specs.some((s) => parseSecretSpec(s).id.endsWith('*')))
  ) {
    throw new UsageError(
      '--version-id needs exactly one --secret naming one secret (not a prefix)',
    );
  }
  return specs.map((spec) => ({
    ...parseSecretSpec(spec),
    ...(stage === undefined ? {} : { versionStage: stage }),
    ...(id === undefined ? {} : { versionId: id }),
  }));
}

/** {@link LoadSecretsOptions} from the command line. */
export function loadOptions(
  values: LoadValues,
  log: (message: string) => void,
): LoadSecretsOptions {
  const nameTransform = oneOf('name-transform', values['name-transform'], [
    'upper',
    'none',
  ] as const);
  const onConflict = oneOf('on-conflict', values['on-conflict'], ['error', 'last-wins'] as const);
  return {
    secrets: secretRequests(values),
    log,
    ...(nameTransform ? { nameTransform } : {}),
    ...(onConflict ? { onConflict } : {}),
    ...(values.region ? { region: values.region } : {}),
  };
}
