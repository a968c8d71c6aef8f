import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, type ProgramSpec, runProgram } from './cli.ts';
import { type Clock, systemClock } from './clock.ts';
import { BerthError, InterruptedError, UsageError } from './errors.ts';
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
    if (ctx.values.name === 'throw') throw new TypeError('not a Berth error');
    if (ctx.values.name === 'own') {
      ctx.printJson({ error: { code: 'E_DEMO', message: 'own' } });
      throw new DemoError('E_DEMO', 'own');
    }
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
const deploy = defineCommand({
  name: 'deploy',
  summary: 'Typed options',
  usage: 'deploy --image <ref>',
  options: {
    image: { type: 'string', short: 'i', required: true, description: 'Image', valueName: '<ref>' },
    precision: {
      type: 'string',
      choices: ['second', 'minute'],
      default: 'second',
      description: 'Precision',
    },
    tag: { type: 'string', multiple: true, default: [], description: 'Tags' },
    force: { type: 'boolean', description: 'Force' },
    note: { type: 'string', description: 'Note' },
  },
  run({ values, print }) {
    print(`${values.image} ${values.precision} ${values.tag.join(',')} ${values.force ?? false}`);
    return 0;
  },
});
const context = defineCommand({
  name: 'context',
  summary: 'Shows what the context carries',
  usage: 'context [--say <text>]',
  json: true,
  options: { say: { type: 'string', description: 'Printed as is' } },
  async run({ values, print, printJson, log, signal, clock, json }) {
    if (values.say !== undefined) {
      log.info(values.say);
      if (json) printJson({ said: values.say });
      else print(values.say);
      return 0;
    }
    print(`now ${clock.now()} aborted ${signal.aborted}`);
    if (signal.aborted) await clock.sleep(1, signal);
    return 0;
  },
});
const program: ProgramSpec = {
  name: 'demo',
  version: '1.2.3',
  summary: 'a demo',
  commands: [greet, exec, deploy, context],
  defaultCommand: 'greet',
};

async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
  extra: { signal?: AbortSignal; clock?: Clock } = {},
) {
  const stdout = new CaptureStream();
  const stderr = new CaptureStream();
  const code = await runProgram(program, argv, { stdout, stderr, env, ...extra });
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
    expect(r.err).toBe('demo: error: unknown option --bogus (see demo --help)\n');
  });

  it('uses E_INPUT, exit 2, for bad input', () => {
    const e = new UsageError('bad');
    expect(e.code).toBe('E_INPUT');
    expect(e.exitCode).toBe(2);
  });

  it('refuses a single-value option given twice, also through its short name', async () => {
    const r = await run(['greet', '--name', 'a', '--name', 'b']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('demo: error: --name given more than once (see demo --help)\n');
    expect((await run(['deploy', '--image', 'a', '-i', 'b'])).err).toContain(
      '--image (-i) given more than once',
    );
    // Repeatable options and repeated boolean flags are fine.
    expect(
      await run(['deploy', '-i', 'a', '--tag', 'x', '--tag', 'y', '--force', '--force']),
    ).toMatchObject({
      code: 0,
      out: 'a second x,y true\n',
    });
  });

  it('fills defaults, refuses missing required options and values outside the choices', async () => {
    expect((await run(['deploy', '--image', 'a'])).out).toBe('a second  false\n');
    expect((await run(['deploy', '--image', 'a', '--precision', 'minute'])).out).toBe(
      'a minute  false\n',
    );
    const missing = await run(['deploy']);
    expect(missing.code).toBe(2);
    expect(missing.err).toBe(
      'demo: error: missing --image (-i): it is required (see demo --help)\n',
    );
    const wrong = await run(['deploy', '-i', 'a', '--precision', 'hour']);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('--precision must be one of second, minute; got "hour"');
    // --help works without the required options, and shows them.
    const help = await run(['deploy', '--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('--image <ref>');
    expect(help.out).toContain('(required)');
    expect(help.out).toContain('--precision <second|minute>');
    expect(help.out).toContain('(default: second)');
  });

  it('types values from the declaration: no any, required and defaulted never undefined', () => {
    type Values = Parameters<typeof deploy.run>[0]['values'];
    expectTypeOf<Values['image']>().toEqualTypeOf<string>();
    expectTypeOf<Values['precision']>().toEqualTypeOf<'second' | 'minute'>();
    expectTypeOf<Values['tag']>().toEqualTypeOf<string[]>();
    expectTypeOf<Values['force']>().toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Values['note']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Values>().not.toBeAny();
  });

  it('refuses option declarations that contradict themselves', () => {
    const bad = (option: object) => () =>
      defineCommand({
        name: 'x',
        summary: '',
        usage: '',
        options: { o: option as never },
        run: () => 0,
      });
    expect(bad({ type: 'string', description: '', default: true })).toThrow(/must be a string/);
    expect(bad({ type: 'string', description: '', required: true, default: 'a' })).toThrow(
      /cannot go together/,
    );
    expect(bad({ type: 'string', description: '', choices: ['a'], default: 'b' })).toThrow(
      /one of the choices/,
    );
    expect(bad({ type: 'string', description: '', multiple: true, default: 'a' })).toThrow(/array/);
  });

  it('echoes long or odd arguments quoted and cut', async () => {
    const long = 'x'.repeat(100_000);
    const r = await run(['greet', long]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(300);
    expect(r.err).toContain('(100000 characters)');
    expect((await run([`--${long}`])).err).toContain('(100002 characters)');
  });

  it('passes everything after -- through', async () => {
    expect((await run(['exec', '--', 'ls', '--all', '-l'])).out).toBe('ls --all -l\n');
  });

  it('reports Berth errors with their exit code', async () => {
    const r = await run(['--name', 'fail']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('demo: error: it failed on purpose\n');
    expect(r.out).toBe('');
  });

  it('with --json also prints {"error": ...} on stdout, for every kind of failure', async () => {
    const failed = await run(['--name', 'fail', '--json']);
    expect(failed.code).toBe(1);
    expect(failed.err).toBe('demo: error: it failed on purpose\n');
    expect(JSON.parse(failed.out)).toEqual({
      error: {
        name: 'DemoError',
        code: 'E_DEMO',
        message: 'it failed on purpose',
        retryable: false,
      },
    });
    const usage = await run(['greet', '--json', '--bogus']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.out)).toMatchObject({
      error: { code: 'E_INPUT', message: 'unknown option --bogus', retryable: false },
    });
    const unexpected = await run(['greet', '--json', '--name', 'throw']);
    expect(unexpected.code).toBe(1);
    expect(unexpected.err).toBe('demo: error: unexpected failure: not a Berth error\n');
    expect(JSON.parse(unexpected.out)).toEqual({
      error: { code: 'E_UNEXPECTED', message: 'not a Berth error', retryable: false },
    });
    // `--json` after `--` belongs to the child, not to us.
    expect((await run(['exec', '--bogus', '--', 'x', '--json'])).out).toBe('');
  });

  it('prints one error document when the command already printed its own', async () => {
    const r = await run(['greet', '--json', '--name', 'own']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ error: { code: 'E_DEMO', message: 'own' } });
  });

  it('logs debug lines only with --verbose, never in colour under NO_COLOR', async () => {
    expect((await run([])).err).toBe('');
    const r = await run(['--verbose'], { NO_COLOR: '1', FORCE_COLOR: '1' });
    expect(r.err).toBe('demo: debug line\n');
  });
});

describe('what commands print is safe for a workflow log', () => {
  it('print and the logger write one line, control characters escaped, no workflow command', async () => {
    const r = await run(['context', '--say', 'nginx:1\n::stop-commands::x']);
    expect(r.out).toBe('nginx:1\\n::stop-commands::x\n');
    expect(r.err).toBe('demo: nginx:1\\n::stop-commands::x\n');
    const direct = await run(['context', '--say', '::add-mask::x']);
    expect(direct.out).toBe('\\x3a:add-mask::x\n');
  });

  it('printJson and JSON errors never print ##[ and parse back', async () => {
    const r = await run(['context', '--json', '--say', '##[add-mask]a\n::x::']);
    expect(r.out).not.toContain('##[');
    expect(JSON.parse(r.out)).toEqual({ said: '##[add-mask]a\n::x::' });
  });

  it('error messages are one line whatever the input held', async () => {
    const r = await run(['greet', 'a\n::error::b']);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(r.err).not.toMatch(/^\s*::/m);
  });
});

describe('ctx.signal and ctx.clock', () => {
  it('gives the command the injected clock and a signal that never aborts by default', async () => {
    const clock: Clock = { now: () => 42, sleep: async () => {} };
    expect((await run(['context'], {}, { clock })).out).toBe('now 42 aborted false\n');
    expect((await run(['context'])).out).toMatch(/^now \d+ aborted false\n$/);
    expect(systemClock.now()).toBeGreaterThan(0);
  });

  it('reports an abort that escapes the command as the signal that caused it', async () => {
    const controller = new AbortController();
    controller.abort(new InterruptedError('SIGTERM'));
    const r = await run(['context', '--json'], {}, { signal: controller.signal });
    expect(r.code).toBe(143);
    expect(r.err).toBe('demo: error: interrupted by SIGTERM\n');
    expect(JSON.parse(r.out.slice(r.out.indexOf('{')))).toMatchObject({
      error: { code: 'E_INTERRUPTED' },
    });
  });
});
