import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClientConfig } from './aws.ts';
import { abortable, withClients } from './aws-clients.ts';
import { awsFailure, isLostResponse } from './aws-failure.ts';

type Behaviour = 'answer' | 'hold' | 'reset';

/** A loopback "AWS" that answers ListClusters, never answers, or resets the connection. */
async function fakeAws(plan: (n: number) => Behaviour) {
  let n = 0;
  const held: ServerResponse[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      n++;
      const what = plan(n);
      if (what === 'hold') held.push(res);
      else if (what === 'reset') req.socket.destroy();
      else {
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ clusterArns: ['arn:aws:ecs:us-east-1:1:cluster/dev'] }));
      }
      server.emit('seen', n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  servers.push(server);
  return {
    server,
    calls: () => n,
    options: {
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    },
  };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

class FakeClient {
  static built: FakeClient[] = [];
  destroyed = false;
  readonly config: AwsClientConfig;
  constructor(config: AwsClientConfig) {
    this.config = config;
    FakeClient.built.push(this);
  }
  destroy() {
    this.destroyed = true;
  }
}

describe('withClients', () => {
  it('builds what is not injected, and destroys only what it built, also on failure', async () => {
    FakeClient.built = [];
    const injected = new FakeClient({} as AwsClientConfig);
    await expect(
      withClients(
        { a: FakeClient, b: FakeClient },
        { region: 'eu-west-1', timeoutMs: 1234, clients: { a: injected } },
        async ({ a, b }) => {
          expect(a).toBe(injected);
          expect(b.config.region).toBe('eu-west-1');
          expect(b.config.requestHandler.requestTimeout).toBe(1234);
          throw new Error('boom');
        },
      ),
    ).rejects.toThrow('boom');
    expect(FakeClient.built).toHaveLength(2);
    expect(injected.destroyed).toBe(false);
    expect(FakeClient.built[1]?.destroyed).toBe(true);
  });

  it('needs no region when every client is injected', async () => {
    const injected = new FakeClient({} as AwsClientConfig);
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    try {
      await expect(
        withClients({ a: FakeClient }, { clients: { a: injected } }, async ({ a }) => a),
      ).resolves.toBe(injected);
    } finally {
      if (saved.r !== undefined) process.env.AWS_REGION = saved.r;
      if (saved.d !== undefined) process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });

  it('works with real SDK clients', async () => {
    const aws = await fakeAws(() => 'answer');
    const arns = await withClients({ ecs: ECSClient }, aws.options, async ({ ecs }) => {
      const out = await ecs.send(new ListClustersCommand({}));
      return out.clusterArns;
    });
    expect(arns).toEqual(['arn:aws:ecs:us-east-1:1:cluster/dev']);
  });
});

describe('per-attempt timeout of SDK clients', () => {
  it('ends a call AWS never answers after maxAttempts × timeoutMs', async () => {
    const aws = await fakeAws(() => 'hold');
    const error = await withClients(
      { ecs: ECSClient },
      { ...aws.options, timeoutMs: 150, maxAttempts: 2 },
      ({ ecs }) =>
        ecs.send(new ListClustersCommand({})).then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    expect((error as Error).name).toBe('TimeoutError');
    expect(aws.calls()).toBe(2);
    expect(isLostResponse(error)).toBe(true);
    const f = awsFailure(error, { doing: 'list clusters' });
    expect(f.message).toMatch(
      /^could not list clusters: AWS did not answer in time .*BERTH_AWS_TIMEOUT/,
    );
    expect(f).toMatchObject({ lostResponse: true, retryable: true, accessDenied: false });
  });

  it('reports a reset connection as a lost response', async () => {
    const aws = await fakeAws(() => 'reset');
    const error = await withClients(
      { ecs: ECSClient },
      { ...aws.options, maxAttempts: 1 },
      ({ ecs }) =>
        ecs.send(new ListClustersCommand({})).then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    expect(isLostResponse(error)).toBe(true);
    expect(awsFailure(error, { doing: 'list clusters' }).message).toMatch(
      /could not list clusters: the connection closed before AWS answered \(socket hang up\); AWS may have applied it/,
    );
  });
});

describe('abortable', () => {
  it('aborts forward calls on the signal while the plain client keeps working', async () => {
    const aws = await fakeAws((n) => (n === 1 ? 'hold' : 'answer'));
    const controller = new AbortController();
    aws.server.once('seen', () => controller.abort());
    await withClients({ ecs: ECSClient }, aws.options, async ({ ecs }) => {
      const forward = abortable(ecs, controller.signal);
      const error = await forward.send(new ListClustersCommand({})).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((error as Error).name).toBe('AbortError');
      expect(isLostResponse(error)).toBe(true);
      expect(awsFailure(error, { doing: 'list clusters' }).message).toBe(
        'could not list clusters: interrupted before AWS answered',
      );
      // the view keeps the client's other members
      expect(forward.config).toBe(ecs.config);
      const out = await ecs.send(new ListClustersCommand({}));
      expect(out.clusterArns).toHaveLength(1);
    });
    expect(aws.calls()).toBe(2);
  });

  it('is the client itself without a signal', () => {
    const client = { send: async () => 1 };
    expect(abortable(client, undefined)).toBe(client);
  });
});
