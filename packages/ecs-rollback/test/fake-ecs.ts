import type { ECSClient } from '@aws-sdk/client-ecs';

/** Answers one operation: an output, or throws to fail the call. */
export type FakeHandler = (input: Record<string, unknown>) => unknown;

/** An AWS-shaped error as the SDK throws it. */
export function awsError(code: string, status = 400, message = code): Error {
  return Object.assign(new Error(message), {
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    ...(code.includes('Throttl') ? { $retryable: { throttling: true } } : {}),
  });
}

/** A fake ECS client that dispatches each command to a handler by operation name. */
export function fakeEcs(handlers: Record<string, FakeHandler>): ECSClient & {
  calls: { operation: string; input: Record<string, unknown> }[];
} {
  const calls: { operation: string; input: Record<string, unknown> }[] = [];
  const client = {
    calls,
    async send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const operation = command.constructor.name.replace(/Command$/, '');
      calls.push({ operation, input: command.input });
      const handler = handlers[operation];
      if (!handler)
        throw awsError('UnknownOperationException', 400, `fake ECS: ${operation} not scripted`);
      return { $metadata: {}, ...((await handler(command.input)) as object) };
    },
    destroy() {},
  };
  return client as unknown as ECSClient & { calls: typeof calls };
}

/**
 * Answers the named operations of a real client (talking to the emulator) from handlers,
 * for the APIs the emulator does not implement; every other call goes over the wire.
 */
export function interceptOperations(
  client: ECSClient,
  handlers: Record<string, FakeHandler>,
): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName ?? '').replace(/Command$/, '');
      const handler = handlers[operation];
      if (!handler) return next(args);
      const output = handler(args.input as Record<string, unknown>);
      return { output: { $metadata: {}, ...(output as object) }, response: {} };
    },
    { step: 'initialize', name: 'berthFakeOperations', override: true },
  );
}
