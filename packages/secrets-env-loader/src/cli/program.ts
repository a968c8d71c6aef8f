import type { ProgramSpec } from '@berth/internal';
import pkg from '../../package.json' with { type: 'json' };
import { dotenvCommand } from './dotenv-command.ts';
import { ecsSecretsCommand } from './ecs-secrets-command.ts';
import { execCommand } from './exec-command.ts';
import { keysCommand } from './keys-command.ts';

/** The `secrets-env` CLI. */
export const program: ProgramSpec = {
  name: 'secrets-env',
  version: pkg.version,
  summary:
    'AWS Secrets Manager secrets and SSM parameters as environment variables, .env files and ECS secrets lists',
  commands: [execCommand, dotenvCommand, keysCommand, ecsSecretsCommand],
};
