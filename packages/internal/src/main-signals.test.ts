import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { signalExitCode } from './run-child.ts';

const PROGRAM = fileURLToPath(new URL('../test/fixtures/signal-program.ts', import.meta.url));

/** Starts the fixture CLI, sends `signals` once it printed `ready`, resolves when it ends. */
function runWithSignals(mode: string, signals: NodeJS.Signals[]) {
  const child = spawn(process.execPath, [PROGRAM, 'wait', mode], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (!sent && stdout.includes('ready')) {
      sent = true;
      // Everything `main()` prints about the first signal comes before the second is sent.
      const [first, ...others] = signals;
      if (first) child.kill(first);
      if (others.length) {
        const onErr = () => {
          if (stderr.includes('a second signal exits at once')) {
            child.stderr.off('data', onErr);
            for (const s of others) child.kill(s);
          }
        };
        child.stderr.on('data', onErr);
        onErr();
      }
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('main() and signals', () => {
  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
    '%s aborts ctx.signal; the command cleans up and the process exits 128+n',
    async (signal) => {
      const r = await runWithSignals('sleep', [signal]);
      expect(r.code).toBe(signalExitCode(signal));
      expect(r.stdout).toBe(`ready\nstopped: interrupted by ${signal}; cleaning up\ncleaned up\n`);
      expect(r.stderr).toContain(`received ${signal}: stopping and cleaning up`);
    },
  );

  it('a second signal exits at once, with its own 128+n', async () => {
    const r = await runWithSignals('stubborn', ['SIGTERM', 'SIGINT']);
    expect(r.code).toBe(signalExitCode('SIGINT'));
    expect(r.stderr).toContain('received SIGINT again: exiting without finishing the cleanup');
  });

  it("leaves signals to a runChild child: forwarded, the exit code is the child's own", async () => {
    const child = spawn(process.execPath, [PROGRAM, 'wait', 'child'], { stdio: 'pipe' });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const had = stdout.includes('child ready');
      stdout += chunk.toString();
      if (!had && stdout.includes('child ready')) child.kill('SIGTERM');
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(3);
    expect(stdout).toContain('child cleans up');
    expect(stdout).toContain('child exited 3; aborted false');
  });
});
