import { describe, expect, it } from 'vitest';
import { runChild, signalExitCode } from './run-child.ts';
import { CaptureStream } from './test-streams.ts';

const node = process.execPath;

describe('runChild', () => {
  it('returns the child exit code', async () => {
    const r = await runChild(node, ['-e', 'process.exit(7)']);
    expect(r.exitCode).toBe(7);
    expect(r.signal).toBeNull();
  });

  it('reports 128+n when the child is killed by a signal', async () => {
    const r = await runChild(node, ['-e', "process.kill(process.pid, 'SIGTERM')"]);
    expect(r.signal).toBe('SIGTERM');
    expect(r.exitCode).toBe(143);
    expect(signalExitCode('SIGINT')).toBe(130);
  });

  it('reports 127 for a command that does not exist', async () => {
    const r = await runChild('berth-no-such-command-xyz', []);
    expect(r.exitCode).toBe(127);
    expect(r.spawnError?.code).toBe('ENOENT');
  });

  it('tees output and keeps its tail', async () => {
    const out = new CaptureStream();
    const err = new CaptureStream();
    const r = await runChild(
      node,
      ['-e', "process.stdout.write('x'.repeat(5000)); process.stderr.write('END')"],
      { output: 'tee', tailBytes: 100, stdout: out, stderr: err },
    );
    expect(out.text.length).toBe(5000);
    expect(err.text).toBe('END');
    expect(r.tail.toString().endsWith('END')).toBe(true);
    expect(r.tail.length).toBe(100);
    expect(r.droppedBytes).toBe(4903);
  });

  it('forwards signals to the child and survives them', async () => {
    const script =
      "process.on('SIGHUP', () => { console.log('got HUP'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);";
    const out = new CaptureStream();
    const running = runChild(node, ['-e', script], { output: 'tee', stdout: out });
    while (!out.text.includes('ready')) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGHUP', 'SIGHUP');
    const r = await running;
    expect(r.exitCode).toBe(42);
    expect(r.receivedSignals).toEqual(['SIGHUP']);
    expect(process.listenerCount('SIGHUP')).toBe(0);
  });
});
