import { describe, expect, it } from 'vitest';
import { defineCommand, type ProgramSpec, runProgram } from './cli.ts';
import { BerthError } from './errors.ts';
import { CaptureStream } from './test-streams.ts';

class DemoError extends BerthError<'E_DEMO'> {
  override readonly name = 'DemoError';
}

const greet = defineCommand({
  name: 'greet',
  summary: 'Greets',
  usage: 'greet [--name <n>] [--json]',
  json: true,
  options: { name: { type: 'string', description: 'Who', valueName: '<n>' } },
  run(ctx) {
    if (ctx.values.name === 'fail') throw new DemoError('E_DEMO', 'it failed on purpose');
    if (ctx.json) ctx.printJson({ hello: ctx.values.name ?? 'world' });
    else ctx.print(`hello ${ctx.values.name ?? 'world'}`);
    ctx.log.debug('debug line');
    return 0;
  },
});
const exec = defineCommand({
  name: 'exec',
  summary: 'Runs',
  usage: 'exec -- <command>',
  options: {},
  passThrough: true,
  run: (ctx) => {
    ctx.print(ctx.rest.join(' '));
    return 0;
  },
});
const program: ProgramSpec = {
  name: 'demo',
  version: '1.2.3',
  summary: 'a demo',
  commands: [greet, exec],
  defaultCommand: 'greet',
};

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await runProgram(program, argv, { stdout, stderr, env });
  return { code, out: stdout.text, err: stderr.text };
}

describe('runProgram', () => {
  it('runs the default command and subcommands', async () => {
    expect(await run([])).toMatchObject({ code: 0, out: 'hello world\n' });
    expect(await run(['greet', '--name', 'x'])).toMatchObject({ code: 0, out: 'hello x\n' });
    expect(JSON.parse((await run(['--json'])).out)).toEqual({ hello: 'world' });
  });

  it('prints version and help', async () => {
    expect((await run(['--version'])).out).toBe('1.2.3\n');
    expect((await run(['--help'])).out).toContain('Commands:');
    const help = await run(['greet', '--help']);
    expect(help.out).toContain('--name <n>');
    expect(help.out).toContain('--json');
  });

  it('turns usage errors into exit 2 with one line', async () => {
    const r = await run(['--bogus']);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toContain('unknown option --bogus');
    expect((await run(['greet', '--name'])).err).toContain('--name needs a value');
    expect((await run(['exec'])).err).toContain('missing the command to run');
  });

  it('passes everything after -- through', async () => {
    expect((await run(['exec', '--', 'ls', '--all', '-l'])).out).toBe('ls --all -l\n');
  });

  it('reports Berth errors with their exit code', async () => {
    const r = await run(['--name', 'fail']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('demo: error: it failed on purpose\n');
  });

  it('logs debug lines only with --verbose, never in colour under NO_COLOR', async () => {
    expect((await run([])).err).toBe('');
    const r = await run(['--verbose'], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(r.err).toBe('demo: debug line\n');
  });
});
