import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './free-port.ts';

/** A running moto server. */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options of {@link startMoto}. */
export interface StartMotoOptions {
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Executable (default `MOTO_SERVER_BIN` or `moto_server` on PATH). */
  bin?: string;
  /** Extra environment for the server, e.g. `MOTO_ECS_SERVICE_RUNNING`. */
  env?: NodeJS.ProcessEnv;
  /** How long to wait for it to answer (default 60 s). */
  readyTimeoutMs?: number;
}

const INSTALL_HINT =
  "moto_server not found: install the AWS emulator with `pip install 'moto[server]'` (Python 3), or point MOTO_SERVER_BIN at it";

/**
 * Starts `moto_server` on a free loopback port and waits until `GET /moto-api/` answers.
 * New ECS services report one running task (MOTO_ECS_SERVICE_RUNNING=1) unless overridden.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const port = options.port ?? (await freePort());
  const bin = options.bin ?? process.env.MOTO_SERVER_BIN ?? 'moto_server';
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { MOTO_ECS_SERVICE_RUNNING: '1', ...process.env, ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnFailed = new Promise<never>((_, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new Error(INSTALL_HINT) : error);
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
  };
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  const ready = (async () => {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`moto_server exited with code ${child.exitCode}: ${stderr.trim()}`);
      }
      try {
        const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          await res.arrayBuffer();
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`moto_server did not answer on ${endpoint} in time: ${stderr.trim()}`);
  })();
  try {
    await Promise.race([ready, spawnFailed]);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    endpoint,
    port,
    stop: async () => {
      process.off('exit', onExit);
      await stop();
    },
  };
}

/** Resets all emulator state (`POST /moto-api/reset`). */
export async function resetMoto(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
}
