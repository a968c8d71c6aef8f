// Step 4: the JSON secret as an ECS `secrets` list (printed, then merged into a task definition
// file), and as environment variables of a child process (names shown, never values).
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Step, seeded } from '../context.ts';

/** Child command that prints the names of the variables it sees, one per line. */
const PRINT_NAMES = 'console.log(Object.keys(process.env).sort().join("\\n"))';

export const secretsStep: Step = {
  title: 'Secrets Manager secret -> ECS task definition and process environment',
  tools: ['secrets-env'],
  async run(ctx) {
    const { out, cli } = ctx;
    const s = seeded(ctx);
    await cli.run('secrets-env', ['keys', '--secret', s.secretName]);
    await cli.run('secrets-env', ['ecs-secrets', '--secret', s.secretName]);

    const file = join(ctx.workDir, 'task-definition.json');
    await copyFile(join(ctx.root, 'examples/task-definition/task-definition.json'), file);
    out.note('Merge that list into the web container of a task definition file:');
    await cli.run('secrets-env', [
      'ecs-secrets',
      '--secret',
      s.secretName,
      '--container',
      'web',
      '--task-definition',
      'task-definition.json',
    ]);
    const patched = JSON.parse(await readFile(file, 'utf8')) as {
      containerDefinitions?: { name?: string; secrets?: { name: string; valueFrom: string }[] }[];
    };
    const web = patched.containerDefinitions?.find((c) => c.name === 'web');
    const names = (web?.secrets ?? []).map((e) => e.name);
    const missing = s.secretKeys.filter((k) => !names.includes(k));
    if (missing.length > 0) {
      throw new Error(`task-definition.json lacks secrets entries for ${missing.join(', ')}`);
    }
    out.ok(`task-definition.json: container web now has secrets ${names.join(', ')}`);

    out.note('Run a command with the secret’s keys as variables (the child prints names only):');
    const before = new Set(Object.keys(ctx.env));
    const run = await cli.run(
      'secrets-env',
      ['exec', '--secret', s.secretName, '--', 'node', '-e', PRINT_NAMES],
      { hideStdout: true },
    );
    const added = run.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((name) => name !== '' && !before.has(name));
    out.block(added.join('\n'));
    const notSeen = s.secretKeys.filter((k) => !added.includes(k));
    if (notSeen.length > 0) throw new Error(`the child did not see ${notSeen.join(', ')}`);
    out.ok(`the child saw ${added.length} new variables; their values were never printed`);
  },
};
