import { readFile, stat } from 'node:fs/promises';
import { defineCommand, safeLine, UsageError, writeFileAtomic } from '@berth/internal';
import { SecretsEnvError } from '../errors.ts';
import { loadEcsSecrets } from '../load-ecs-secrets.ts';
import { parseSecretSpec } from '../secret-spec.ts';
import { sourceScheme } from '../source-id.ts';
import { mergeContainerSecrets } from '../task-definition.ts';
import { fileErrorReason, whyNotWritable } from '../writable-file.ts';
import { checkRegion, LOAD_OPTIONS } from './cli-options.ts';

async function readTaskDefinition(
  file: string,
): Promise<{ document: unknown; indent: string; mode: number; bom: boolean }> {
  let text: string;
  let mode: number;
  try {
    text = await readFile(file, 'utf8');
    mode = (await stat(file)).mode & 0o777;
  } catch (error) {
    throw new SecretsEnvError(
      'E_TASK_DEFINITION',
      `cannot read task definition file ${safeLine(file)}: ${fileErrorReason(error)}`,
      {
        exitCode: 2,
      },
    );
  }
  const why = await whyNotWritable(file);
  if (why) {
    throw new SecretsEnvError(
      'E_TASK_DEFINITION',
      `task definition file ${safeLine(file)} cannot be written back: ${why}`,
      { exitCode: 2 },
    );
  }
  // Editors on Windows save JSON with a byte order mark; JSON.parse refuses it. Keep it on write.
  const bom = text.startsWith('\uFEFF');
  if (bom) text = text.slice(1);
  try {
    const indent = /^\{\s*\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
    return { document: JSON.parse(text), indent, mode, bom };
  } catch (error) {
    throw new SecretsEnvError(
      'E_TASK_DEFINITION',
      `task definition file ${safeLine(file)} is not valid JSON (${jsonErrorPlace(error, text)}); give a register-task-definition JSON or describe-task-definition output`,
      {
        exitCode: 2,
      },
    );
  }
}

/**
 * Where a JSON parse error is, without the parser's quote of the text around it: a task
 * definition's environment may hold values that should not be echoed.
 */
function jsonErrorPlace(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn) return `line ${lineColumn[1]}, column ${lineColumn[2]}`;
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const before = text.slice(0, Number(position[1])).split('\n');
    return `line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
  }
  if (text.trim() === '') return 'the file is empty';
  const token = /^Unexpected token '(.)'/.exec(message);
  return token
    ? `unexpected character '${token[1]}'`
    : 'it ends too early or has an unexpected token';
}

/** `secrets-env ecs-secrets`: the ECS `secrets` list for every key of a JSON secret. */
export const ecsSecretsCommand = defineCommand({
  name: 'ecs-secrets',
  summary:
    "Print (or merge into a task definition) the ECS secrets list of JSON secrets' keys and SSM parameters",
  usage:
    'ecs-secrets --secret <id>[=<alias>]... [--container NAME --task-definition FILE] [--version-stage S | --version-id V]',
  description: `Reads each secret's keys (never prints its values) and prints one
{ "name": KEY, "valueFrom": "<arn>:KEY::" } entry per key: ECS takes a JSON secret only
key by key. An alias prefixes every name. SSM parameters (ssm:/app/prod/DB_URL) and paths
(ssm:/app/prod/) give one entry per parameter with its ARN as valueFrom; an alias names a
parameter, or prefixes the names under a path. With --task-definition, the file (a
register-task-definition input or describe-task-definition output) is written back with
that container's secrets merged: same-name entries replaced, others kept, same-name
plain environment entries removed. --container may be left out when there is one.`,
  options: {
    secret: LOAD_OPTIONS.secret,
    container: {
      type: 'string',
      valueName: '<name>',
      description: 'Container whose secrets to merge',
    },
    'task-definition': {
      type: 'string',
      valueName: '<file>',
      description: 'Task definition JSON file to update in place',
    },
    'version-stage': {
      type: 'string',
      valueName: '<stage>',
      description: 'Pin a staging label in valueFrom',
    },
    'version-id': {
      type: 'string',
      valueName: '<id>',
      description: 'Pin a version id in valueFrom',
    },
    'name-transform': LOAD_OPTIONS['name-transform'],
    region: LOAD_OPTIONS.region,
  },
  json: true,
  async run({ values, log, json, printJson, signal }) {
    const requests = values.secret.map(parseSecretSpec);
    for (const r of requests) {
      if (sourceScheme(r.id) !== 'ssm' && r.id.endsWith('*')) {
        throw new UsageError('ecs-secrets needs secret names, not a prefix');
      }
    }
    const stage = values['version-stage'];
    const versionId = values['version-id'];
    if (stage !== undefined && versionId !== undefined) {
      throw new UsageError(
        'give --version-stage or --version-id, not both: ECS accepts one of them',
      );
    }
    if (
      versionId !== undefined &&
      requests.filter((r) => sourceScheme(r.id) !== 'ssm').length !== 1
    ) {
      throw new UsageError(
        '--version-id pins one secret: give exactly one Secrets Manager --secret with it',
      );
    }
    const file = values['task-definition'];
    if (values.container !== undefined && file === undefined) {
      throw new UsageError('--container needs --task-definition FILE');
    }
    const region = values.region === undefined ? undefined : checkRegion(values.region);
    // Read the file before AWS so a bad file fails fast and changes nothing.
    const taskDefinition = file === undefined ? undefined : await readTaskDefinition(file);
    if (taskDefinition) mergeContainerSecrets(taskDefinition.document, values.container, []);

    const secrets = await loadEcsSecrets({
      secrets: requests,
      ...(stage === undefined ? {} : { versionStage: stage }),
      ...(versionId === undefined ? {} : { versionId }),
      nameTransform: values['name-transform'],
      ...(region === undefined ? {} : { region }),
      log: (m) => log.debug(m),
      signal,
    });
    if (!taskDefinition || file === undefined) {
      printJson(secrets);
      return 0;
    }
    const merged = mergeContainerSecrets(taskDefinition.document, values.container, secrets);
    try {
      await writeFileAtomic(
        file,
        `${taskDefinition.bom ? '\uFEFF' : ''}${JSON.stringify(merged.document, null, taskDefinition.indent)}\n`,
        { mode: taskDefinition.mode },
      );
    } catch (error) {
      throw new SecretsEnvError(
        'E_TASK_DEFINITION',
        `cannot write task definition file ${safeLine(file)}: ${fileErrorReason(error)} (it was left as it was)`,
        { cause: error },
      );
    }
    if (merged.removedFromEnvironment.length > 0) {
      log.warn(
        `removed ${merged.removedFromEnvironment.join(', ')} from the container's environment: ECS refuses a name in both environment and secrets`,
      );
    }
    if (json) {
      printJson({
        file,
        secrets,
        added: merged.added,
        replaced: merged.replaced,
        removedFromEnvironment: merged.removedFromEnvironment,
      });
    } else {
      log.info(
        `merged ${secrets.length} secret(s) into ${safeLine(file)} (${merged.added.length} added, ${merged.replaced.length} replaced)`,
      );
    }
    return 0;
  },
});
