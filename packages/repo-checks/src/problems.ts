/** One thing wrong with a file of the repository. */
export interface Problem {
  /** Path relative to the repository root. */
  file: string;
  /** 1-based line, when known. */
  line?: number;
  message: string;
}

/** `file:line: message`, one per line, for test failure output. */
export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('\n');
}
