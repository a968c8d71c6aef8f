// What the demo's steps share: the emulator, the seeded account, the CLI runner, the printer,
// and what earlier steps learned (image tags, service names) for later ones.
import type { HealthchecksServer } from '../../packages/testkit/src/healthchecks-server.ts';
import type { MotoServer } from '../../packages/testkit/src/moto.ts';
import type { SeedClientConfig, SeededAccount } from '../../packages/testkit/src/seed.ts';
import type { CliRunner, Tool } from './cli.ts';
import type { Output } from './output.ts';
import type { Leftovers } from './verify.ts';

/** Facts that steps hand to later steps. */
export interface DemoState {
  /** Image repository, without tag. */
  repository: string;
  referenceTag: string;
  /** Tags of the two pushes to pull request 42. */
  prTags: string[];
  /** ECS service of the PR 42 environment. */
  prService?: string;
  /** Task definition ARN after each create of PR 42, in order. */
  prTaskDefinitions: string[];
  /** Name of the branch environment left for `sweep`. */
  branchEnvironment: string;
  /** When the branch environment was last deployed (ms since epoch). */
  branchDeployedAt?: number;
}

/** Everything a step gets. */
export interface DemoContext {
  /** Repository root. */
  root: string;
  /** Scratch directory the CLIs run in (holds preview-env.yml and the task definition). */
  workDir: string;
  out: Output;
  cli: CliRunner;
  /** Environment the CLIs see: the emulator endpoint, region and dummy credentials. */
  env: NodeJS.ProcessEnv;
  /** Client settings for the demo's own reads of the emulator. */
  aws: SeedClientConfig;
  moto?: MotoServer;
  seeded?: SeededAccount;
  healthchecks?: HealthchecksServer;
  state: DemoState;
  /** Set by the last step: what was left beyond the seeded account. */
  leftovers?: Leftovers;
  /** Registers cleanup to run at exit, Ctrl-C or failure (last registered runs first). */
  onCleanup(fn: () => Promise<void> | void): void;
}

/** The seeded account, or an error naming the step that should have made it. */
export function seeded(ctx: DemoContext): SeededAccount {
  if (!ctx.seeded) throw new Error('the account is not seeded (step 1 did not finish)');
  return ctx.seeded;
}

/** A demo step: a title and what it does. */
export interface Step {
  title: string;
  /** The CLIs the step runs (checked before the demo starts). */
  tools: Tool[];
  run(ctx: DemoContext): Promise<void>;
}
