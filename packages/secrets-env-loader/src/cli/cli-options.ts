import type { OptionSpecs, OptionValues } from '@berth/internal';
import { quoteInput, UsageError } from '@berth/internal';
import type { LoadSecretsOptions, SecretRequest } from '../load-secrets.ts';
import { parseSecretSpec } from '../secret-spec.ts';
import { sourceScheme } from '../source-id.ts';

/** Options every loading command takes. */
export const LOAD_OPTIONS = {
  secret: {
    type: 'string',
    multiple: true,
    required: true,
    valueName: '<id>[=<alias>]',
    description:
      'Secret name, ARN or prefix*; ssm:/path/NAME, ssm:/path/ (alias: name of a plain value, prefix of a JSON one)',
  },
  'expand-json': {
    type: 'boolean',
    description: 'Expand SSM parameters holding a JSON object key by key (secrets always are)',
  },
  'name-transform': {
    type: 'string',
    choices: ['upper', 'none'],
    default: 'upper',
    valueName: 'upper|none',
    description: 'Upper-case variable names or keep the keys as spelled',
  },
  'on-conflict': {
    type: 'string',
    choices: ['error', 'last-wins'],
    default: 'error',
    valueName: 'error|last-wins',
    description: 'Two sources giving one variable: fail, or let the later one win',
  },
  'version-stage': {
    type: 'string',
    valueName: '<stage>',
    description: 'Read this staging label of every Secrets Manager secret (e.g. AWSPREVIOUS)',
  },
  'version-id': {
    type: 'string',
    valueName: '<id>',
    description: 'Read this version (one named secret only)',
  },
  region: { type: 'string', valueName: '<region>', description: 'AWS region (default AWS_REGION)' },
} as const satisfies OptionSpecs;

/** The parsed values of {@link LOAD_OPTIONS}. */
export type LoadValues = OptionValues<typeof LOAD_OPTIONS>;

const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Checks `--region`: a region name, not text the SDK would turn into a host name. */
export function checkRegion(region: string): string {
  if (!REGION.test(region)) {
    throw new UsageError(
      `--region ${quoteInput(region)} is not an AWS region name (lower-case letters, digits and -, e.g. eu-west-1)`,
    );
  }
  return region;
}

/** The `--secret` values as requests, with the version flags applied. */
export function secretRequests(
  values: Pick<LoadValues, 'secret' | 'version-stage' | 'version-id'>,
): SecretRequest[] {
  const specs = values.secret;
  const stage = values['version-stage'];
  const id = values['version-id'];
  if (stage !== undefined && id !== undefined)
    throw new UsageError('give --version-stage or --version-id, not both');
  const requests = specs.map(parseSecretSpec);
  // Version flags pin Secrets Manager secrets; SSM parameters in the same list are read as they are.
  const isSm = (r: SecretRequest) => sourceScheme(r.id) !== 'ssm';
  const sm = requests.filter(isSm);
  if (id !== undefined && (sm.length !== 1 || sm.some((r) => r.id.endsWith('*')))) {
    throw new UsageError(
      '--version-id needs exactly one Secrets Manager --secret naming one secret (not a prefix)',
    );
  }
  return requests.map((request) =>
    isSm(request)
      ? {
          ...request,
          ...(stage === undefined ? {} : { versionStage: stage }),
          ...(id === undefined ? {} : { versionId: id }),
        }
      : request,
  );
}

/** {@link LoadSecretsOptions} from the command line. */
export function loadOptions(
  values: LoadValues,
  log: (message: string) => void,
  signal: AbortSignal,
): LoadSecretsOptions {
  return {
    secrets: secretRequests(values),
    log,
    signal,
    nameTransform: values['name-transform'],
    onConflict: values['on-conflict'],
    ...(values.region !== undefined ? { region: checkRegion(values.region) } : {}),
    ...(values['expand-json'] ? { expandJson: true } : {}),
  };
}
