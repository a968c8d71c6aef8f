export { actionBundles, checkActionMetadata } from './action-metadata.ts';
export { actionlint } from './actionlint.ts';
export type { BundleReport } from './bundles.ts';
export { BUNDLE_BUDGET_BYTES, bundleImports, checkBundle, isBuiltin } from './bundles.ts';
export type { Problem } from './problems.ts';
export { formatProblems } from './problems.ts';
export type { QuotedWorkflow } from './repo.ts';
export {
  actionFile,
  listActionDirs,
  listReadmeWorkflows,
  listWorkflowFiles,
  REPO_ROOT,
  repoPath,
} from './repo.ts';
export { expressionsIn, FIRST_PARTY, isUntrustedExpression, pinProblem } from './rules.ts';
export type { WorkflowCheckOptions } from './workflow-structure.ts';
export { checkWorkflowStructure } from './workflow-structure.ts';
