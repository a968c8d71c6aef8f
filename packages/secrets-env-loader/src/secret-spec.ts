import { quoteInput } from '@berth/internal';
import { SecretsEnvError } from './errors.ts';
import type { SecretRequest } from './load-secrets.ts';

const ALIAS = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads the `<id>[=<alias>]` form the CLI and the action take. The alias is what follows the
 * last `=`. Secret names may contain `=` themselves: end such an id with a bare `=`
 * (`a=b=`) to load it without an alias. A tail that looks like a mistyped alias
 * (`app/dev=my-alias`) is refused rather than read as part of the name.
 *
 * @throws SecretsEnvError `E_INVALID_SECRET_ID` (exit code 2) for an invalid alias.
 *
 * @example
 * ```ts
 * parseSecretSpec('app/dev=APP'); // { id: 'app/dev', alias: 'APP' }
 * parseSecretSpec('shared/*');    // { id: 'shared/*' }
 * parseSecretSpec('odd=name=');   // { id: 'odd=name' }
 * ```
 */
export function parseSecretSpec(spec: string): SecretRequest {
  const at = spec.lastIndexOf('=');
  if (at < 0) return { id: spec };
  const alias = spec.slice(at + 1);
  if (alias === '') return { id: spec.slice(0, at) };
  if (ALIAS.test(alias)) return { id: spec.slice(0, at), alias };
  throw new SecretsEnvError(
    'E_INVALID_SECRET_ID',
    `${quoteInput(spec)}: ${quoteInput(alias)} is not a valid alias (letters, digits and _, not starting with a digit); if "=" is part of the secret name, end it with "=" (${quoteInput(`${spec}=`)})`,
    { secretId: spec },
  );
}
