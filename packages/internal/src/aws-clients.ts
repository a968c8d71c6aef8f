import { type AwsClientConfig, type AwsClientOptions, awsClientConfig } from './aws.ts';

/** What Berth needs of an SDK v3 client: it can be released. */
export interface DestroyableClient {
  destroy(): void;
}

/** An SDK v3 client class, e.g. `ECSClient`. */
export type AwsClientConstructor<C extends DestroyableClient = DestroyableClient> = new (
  config: AwsClientConfig,
) => C;

/** The clients {@link withClients} builds, by the keys of its constructor map. */
export type ClientsOf<M extends Record<string, AwsClientConstructor>> = {
  [K in keyof M]: InstanceType<M[K]>;
};

/** Options of {@link withClients}: AWS settings plus clients to use instead of building them. */
export type WithClientsOptions<M extends Record<string, AwsClientConstructor>> =
  AwsClientOptions & {
    /** Clients to use as they are (tests, custom middleware); they are never destroyed here. */
    clients?: { [K in keyof M]?: InstanceType<M[K]> | undefined } | undefined;
  };

/**
 * Runs `fn` with one client per entry of `ctors`: the injected one when `options.clients`
 * has it, else a new one built with {@link awsClientConfig}. Always destroys the clients it
 * built (and only those) when `fn` settles.
 *
 * @throws AwsConfigError (exit 2) when a client must be built and the AWS settings are bad.
 * @example
 * ```ts
 * return withClients(
 *   { ecs: ECSClient, elbv2: ElasticLoadBalancingV2Client },
 *   { ...awsOptions, clients: options.clients },
 *   async ({ ecs, elbv2 }) => { ... },
 * );
 * ```
 */
export async function withClients<M extends Record<string, AwsClientConstructor>, R>(
  ctors: M,
  options: WithClientsOptions<M>,
  fn: (clients: ClientsOf<M>) => Promise<R>,
): Promise<R> {
  const { clients: injected, ...aws } = options;
  const built: DestroyableClient[] = [];
  const clients = {} as ClientsOf<M>;
  let config: AwsClientConfig | undefined;
  try {
    for (const key of Object.keys(ctors) as (keyof M & string)[]) {
      const given = injected?.[key];
      if (given) {
        clients[key] = given;
        continue;
      }
      config ??= awsClientConfig(aws);
      const Ctor = ctors[key] as M[typeof key];
      const client = new Ctor(config) as InstanceType<M[typeof key]>;
      built.push(client);
      clients[key] = client;
    }
    return await fn(clients);
  } finally {
    for (const client of built) client.destroy();
  }
}

interface Sendable {
  // biome-ignore lint/suspicious/noExplicitAny: every SDK client's send has its own overloads
  send(command: any, options?: any): Promise<unknown>;
}

/**
 * A view of `client` whose `send` passes `abortSignal: signal` with every call, so forward
 * work stops when the signal aborts (the call rejects with an `AbortError` at once) while
 * cleanup goes on with the plain client. Without a signal, the client itself.
 *
 * @example
 * ```ts
 * const forward = abortable(ec2, ctx.signal);
 * await forward.send(new AuthorizeSecurityGroupIngressCommand(...)); // aborted by SIGTERM
 * await ec2.send(new RevokeSecurityGroupIngressCommand(...));        // cleanup still runs
 * ```
 */
export function abortable<C extends Sendable>(client: C, signal: AbortSignal | undefined): C {
  if (!signal) return client;
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'send') {
        return (command: unknown, options?: unknown) => {
          const extra =
            typeof options === 'object' && options !== null
              ? (options as Record<string, unknown>)
              : {};
          return target.send(command, { ...extra, abortSignal: signal });
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
