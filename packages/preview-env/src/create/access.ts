import type {
  Action,
  Listener,
  Rule,
  RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { quoteInput } from '@berth/internal';
import type { AccessConfig } from '../config-objects.ts';
import { parseSecretRef } from '../config-objects.ts';
import { PreviewEnvError } from '../errors.ts';

/**
 * The client secret of the OIDC provider, as sent to ELB. `'existing'`: the rule already
 * holds it (ModifyRule with `UseExistingClientSecret`), so it is not read at all.
 */
export type ClientSecret = { value: string } | 'existing';

/** The rule's `source-ip` condition, when `allowCidrs` is set. */
export function accessConditions(access: AccessConfig | undefined): RuleCondition[] {
  return access?.allowCidrs?.length
    ? [{ Field: 'source-ip', SourceIpConfig: { Values: [...access.allowCidrs] } }]
    : [];
}

/** The authenticate action that comes before the forward, when `oidc` or `cognito` is set. */
export function authenticateAction(
  access: AccessConfig | undefined,
  secret: ClientSecret | undefined,
): Action | undefined {
  if (access?.oidc) {
    const o = access.oidc;
    return {
      Type: 'authenticate-oidc',
      Order: 1,
      AuthenticateOidcConfig: {
        Issuer: o.issuer,
        AuthorizationEndpoint: o.authorizationEndpoint,
        TokenEndpoint: o.tokenEndpoint,
        UserInfoEndpoint: o.userInfoEndpoint,
        ClientId: o.clientId,
        ...(secret === undefined || secret === 'existing'
          ? { UseExistingClientSecret: true }
          : { ClientSecret: secret.value }),
        Scope: o.scope ?? 'openid',
        OnUnauthenticatedRequest: 'authenticate',
      },
    };
  }
  if (access?.cognito) {
    const c = access.cognito;
    return {
      Type: 'authenticate-cognito',
      Order: 1,
      AuthenticateCognitoConfig: {
        UserPoolArn: c.userPoolArn,
        UserPoolClientId: c.userPoolClientId,
        UserPoolDomain: c.userPoolDomain,
        Scope: c.scope ?? 'openid',
        OnUnauthenticatedRequest: 'authenticate',
      },
    };
  }
  return undefined;
}

/**
 * Sign-in needs an HTTPS listener (ALB refuses authenticate actions on HTTP): a
 * configuration error, found before anything is written.
 */
export function checkListenerForAccess(
  access: AccessConfig | undefined,
  listener: Listener | undefined,
): void {
  if (!access?.oidc && !access?.cognito) return;
  if (listener?.Protocol === 'HTTPS') return;
  throw new PreviewEnvError(
    'E_CONFIG',
    `access.${access.oidc ? 'oidc' : 'cognito'} needs an HTTPS listener: listener ${listener?.ListenerArn ?? '?'} is ${listener?.Protocol ?? 'not HTTPS'}; use the HTTPS listener or remove the sign-in`,
  );
}

/**
 * Whether the OIDC client secret must be read: not when the rule already authenticates with
 * the same client (AWS keeps the secret: `UseExistingClientSecret`).
 */
export function needsClientSecret(
  access: AccessConfig | undefined,
  rule: Rule | undefined,
): boolean {
  if (!access?.oidc) return false;
  const current = rule?.Actions?.find((a) => a.Type === 'authenticate-oidc');
  return current?.AuthenticateOidcConfig?.ClientId !== access.oidc.clientId;
}

/**
 * Reads the OIDC client secret from Secrets Manager (`name`, `name:json-key`, or an ARN with
 * an optional `:json-key`). The value is returned only to be sent to ELB; no message,
 * log line or error carries it.
 */
export async function readClientSecret(
  client: SecretsManagerClient,
  ref: string,
): Promise<ClientSecret> {
  const { secretId, key } = parseSecretRef(ref, 'access.oidc.clientSecretFrom');
  const out = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
  const raw = out.SecretString;
  if (raw === undefined) {
    throw new PreviewEnvError(
      'E_CONFIG',
      `access.oidc.clientSecretFrom: secret ${secretId} has no string value (binary secrets are not supported)`,
    );
  }
  if (key === undefined) return { value: raw };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  const value =
    parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)[key]
      : undefined;
  if (typeof value !== 'string' || value === '') {
    throw new PreviewEnvError(
      'E_CONFIG',
      `access.oidc.clientSecretFrom: secret ${secretId} has no string key ${quoteInput(key)}${parsed === undefined ? ' (it is not JSON)' : ''}`,
    );
  }
  return { value };
}

/** A listed action as ModifyRule can send it back (AWS never returns the client secret). */
export function resendable(action: Action): Action {
  if (action.Type !== 'authenticate-oidc' || !action.AuthenticateOidcConfig) return action;
  const { ClientSecret: _secret, ...config } = action.AuthenticateOidcConfig;
  return { ...action, AuthenticateOidcConfig: { ...config, UseExistingClientSecret: true } };
}

/** Replaces the secret wherever it might appear in an error AWS sent back. */
export function redact<T>(error: T, secret: ClientSecret | undefined): T {
  if (!secret || secret === 'existing' || !(error instanceof Error)) return error;
  const value = secret.value;
  if (value && error.message.includes(value)) {
    error.message = error.message.split(value).join('***');
  }
  return error;
}
