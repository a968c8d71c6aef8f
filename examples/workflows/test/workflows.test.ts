import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import {
  type ActionLookup,
  type ActionSpec,
  parseActionSpec,
  validateWorkflow,
} from '../src/validate-workflow.ts';

const here = resolve(import.meta.dirname, '..');
const actionsDir = resolve(here, '../../actions');
const workflows = readdirSync(here).filter((f) => f.endsWith('.yml'));

/** The repository's own actions, read from their action.yml. */
const lookup: ActionLookup = (name) => {
  const file = join(actionsDir, name, 'action.yml');
  return existsSync(file) ? parseActionSpec(readFileSync(file, 'utf8')) : undefined;
};

const read = (file: string) => readFileSync(join(here, file), 'utf8');
interface WorkflowStep {
  uses?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: { pull_request?: { types?: string[] }; schedule?: { cron: string }[] };
  concurrency: { group: string };
  jobs: Record<string, { steps: WorkflowStep[] }>;
}
const parse = (file: string) => parseDocument(read(file)).toJS() as Workflow;
const stepsOf = (wf: Workflow, job: string): WorkflowStep[] => wf.jobs[job]?.steps ?? [];

describe('example workflows', () => {
  it('are the six the README promises', () => {
    expect(workflows.sort()).toEqual([
      'deploy-and-watch.yml',
      'preview-env-commands.yml',
      'preview-env-sweep.yml',
      'preview-env.yml',
      'scheduled-job-heartbeat.yml',
      'ssh-deploy-window.yml',
    ]);
  });

  for (const file of workflows) {
    it(`${file} passes validation against the actions' action.yml files`, () => {
      expect(validateWorkflow(file, read(file), lookup)).toEqual([]);
    });
  }

  it('preview-env.yml: per-PR concurrency, OIDC, a semver-timestamp tag, then the action', () => {
    const wf = parse('preview-env.yml');
    expect(Object.keys(wf.on)).toEqual(['pull_request']);
    expect(wf.on.pull_request?.types).toEqual(
      expect.arrayContaining(['opened', 'synchronize', 'reopened', 'closed']),
    );
    expect(wf.concurrency.group).toContain('github.event.pull_request.number');
    const steps = stepsOf(wf, 'preview');
    const order = (prefix: string) => steps.findIndex((s) => s.uses?.startsWith(prefix));
    const creds = steps[order('aws-actions/configure-aws-credentials@')];
    expect(creds?.with?.['role-to-assume']).toBeTruthy();
    expect(creds?.with).not.toHaveProperty('aws-access-key-id');
    expect(steps[order('berth-dev/berth/actions/semver-timestamp@')]?.with?.format).toBe('docker');
    const build = steps[order('docker/build-push-action@')];
    expect(String(build?.with?.tags)).toContain('steps.version.outputs.docker-tag');
    expect(order('aws-actions/configure-aws-credentials@')).toBeLessThan(
      order('docker/build-push-action@'),
    );
    expect(order('docker/build-push-action@')).toBeLessThan(
      order('berth-dev/berth/actions/preview-env@'),
    );
  });

  it('deploy-and-watch.yml watches with the ecs-rollback action and rolls back on failure', () => {
    const steps = stepsOf(parse('deploy-and-watch.yml'), 'deploy');
    const watch = steps.at(-1);
    expect(watch?.uses).toBe('berth-dev/berth/actions/ecs-rollback@v1');
    expect(watch?.with).toMatchObject({ mode: 'watch', 'rollback-on-failure': true });
  });

  it('preview-env-sweep.yml runs on a schedule and sweeps', () => {
    const wf = parse('preview-env-sweep.yml');
    expect(wf.on.schedule?.[0]?.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    const steps = stepsOf(wf, 'sweep');
    expect(steps.find((s) => s.uses?.includes('/actions/preview-env@'))?.with?.mode).toBe('sweep');
  });

  it('preview-env-commands.yml answers new pull request comments from writers, per-PR concurrency', () => {
    const wf = parse('preview-env-commands.yml') as unknown as {
      on: { issue_comment?: { types?: string[] } };
      jobs: Record<string, { if?: string; concurrency?: { group: string }; steps: WorkflowStep[] }>;
    };
    expect(wf.on.issue_comment?.types).toEqual(['created']);
    const job = wf.jobs.command;
    expect(job?.if).toContain('github.event.issue.pull_request');
    expect(job?.if).toContain('"OWNER", "MEMBER", "COLLABORATOR"');
    expect(job?.concurrency?.group).toBe('preview-env-${{ github.event.issue.number }}');
    const step = job?.steps.find((s) => s.uses?.includes('/actions/preview-env@'));
    expect(step?.with?.mode ?? 'auto').toBe('auto');
  });
});

describe('the workflow validator', () => {
  const spec: ActionSpec = {
    inputs: { image: {}, config: { required: true } },
    outputs: ['url'],
  };
  const fake: ActionLookup = (name) => (name === 'preview-env' ? spec : undefined);
  const good = `
name: ok
on: push
permissions: {}
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 5
    permissions:
      contents: read
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
      - id: p
        uses: berth-dev/berth/actions/preview-env@v1
        with:
          config: x.yml
      - env:
          URL: \${{ steps.p.outputs.url }}
        run: echo "$URL"
`;
  const check = (text: string) => validateWorkflow('wf.yml', text, fake);

  it('accepts a good workflow', () => {
    expect(check(good)).toEqual([]);
  });

  it.each([
    ['an unpinned action', good.replace('@11bd71901bbe5b1630ceea73d27597364c9af683', '@v4'), 'pin'],
    ['a pin without a version comment', good.replace(' # v4.2.2', ''), 'version as a comment'],
    [
      'an expression inside run',
      good.replace('echo "$URL"', 'echo "${{ github.head_ref }}"'),
      'inside run',
    ],
    ['no top-level permissions', good.replace('permissions: {}\n', ''), 'permissions: {}'],
    [
      'write-all at the top',
      good.replace('permissions: {}', 'permissions: write-all'),
      'permissions: {}',
    ],
    [
      'no job permissions',
      good.replace('    permissions:\n      contents: read\n', ''),
      'no permissions',
    ],
    [
      'an unknown input',
      good.replace('config: x.yml', 'config: x.yml\n          colour: red'),
      'no input "colour"',
    ],
    [
      'a missing required input',
      good.replace('config: x.yml', 'image: y'),
      'requires input "config"',
    ],
    ['an unknown output', good.replace('outputs.url', 'outputs.link'), 'no such output'],
    ['an unknown step id', good.replace('steps.p.', 'steps.q.'), 'no step with that id'],
    [
      'an unknown action',
      good.replace('actions/preview-env@v1', 'actions/nope@v1'),
      'no action nope',
    ],
    [
      'a broken expression',
      good.replace('steps.p.outputs.url }}', 'steps.p.outputs.url == }}'),
      'invalid expression',
    ],
    [
      'an unknown context',
      good.replace('steps.p.outputs.url', 'secret.TOKEN'),
      'unknown context "secret"',
    ],
    ['no timeout', good.replace('    timeout-minutes: 5\n', ''), 'no timeout-minutes'],
    [
      'OIDC without id-token',
      good.replace('actions/checkout@', 'aws-actions/configure-aws-credentials@'),
      'id-token: write',
    ],
    ['invalid YAML', `${good}\n  bad: [`, 'yaml'],
  ])('rejects %s', (_, text, message) => {
    expect(check(text).join('\n')).toContain(message);
  });
});
