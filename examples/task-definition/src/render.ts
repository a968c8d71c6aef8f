#!/usr/bin/env node
// Renders the deployable task definition: task-definition.json plus one secrets entry per key
// of a JSON secret, for the web container. Prints the rendered file's path.
//   node src/render.ts --secret app/prod [--container web] [--in FILE] [--out FILE]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderTaskDefinition } from './render-task-definition.ts';

const USAGE =
  'usage: node src/render.ts --secret <id> [--container web] [--in task-definition.json] [--out rendered/task-definition.json]';
const here = import.meta.dirname;
let values: { secret?: string; container?: string; in?: string; out?: string; help?: boolean };
try {
  ({ values } = parseArgs({
    options: {
      secret: { type: 'string' },
      container: { type: 'string' },
      in: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  process.stderr.write(`render: ${(error as Error).message}\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (!values.secret) {
  process.stderr.write(`render: --secret is required (the JSON secret's name or ARN)\n${USAGE}\n`);
  process.exit(2);
}
try {
  const out = await renderTaskDefinition({
    secretId: values.secret,
    ...(values.container ? { container: values.container } : {}),
    input: resolve(values.in ?? resolve(here, '../task-definition.json')),
    output: resolve(values.out ?? 'rendered/task-definition.json'),
  });
  process.stdout.write(`${out}\n`);
} catch (error) {
  process.stderr.write(`render: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
