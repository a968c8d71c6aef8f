// Type-checks the ```ts examples of a README under the repository's strict settings, as
// users paste them: each block becomes a module that imports the package from its source.
// Names the examples take for granted (a `uuid`, a `host`, the job's own functions) are
// declared once in the README, in an HTML comment that readers do not see:
//   <!-- readme-prelude
//   declare const uuid: string;
//   -->
// Usage: node scripts/check-readme.ts [README.md ...]   (run by `pnpm typecheck`)
// Written for any package: it reads the package name from ./package.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = process.cwd();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string };
const readmes = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['README.md'];
const work = join(root, 'node_modules', '.readme-check');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

interface Block {
  readme: string;
  /** 1-based README line of the block's first code line. */
  line: number;
  file: string;
  /** Lines added before the block's code in its file. */
  offset: number;
}
const blocks: Block[] = [];
for (const readme of readmes) {
  const text = readFileSync(resolve(root, readme), 'utf8');
  const prelude = /<!--\s*readme-prelude\n([\s\S]*?)-->/.exec(text)?.[1] ?? '';
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] as string)) continue;
    const start = i + 1;
    let end = start;
    while (end < lines.length && !/^```\s*$/.test(lines[end] as string)) end++;
    const file = join(work, `${readme.replace(/\W+/g, '-')}-${start + 1}.ts`);
    const head = `${prelude}\n`;
    writeFileSync(file, `${head}${lines.slice(start, end).join('\n')}\nexport {};\n`);
    blocks.push({ readme, line: start + 1, file, offset: head.split('\n').length - 1 });
    i = end;
  }
}
if (blocks.length === 0) {
  process.stdout.write(`check-readme: no ts examples in ${readmes.join(', ')}\n`);
  process.exit(0);
}
writeFileSync(
  join(work, 'tsconfig.json'),
  JSON.stringify({
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      noEmit: true,
      baseUrl: root,
      paths: { [pkg.name]: [join(root, 'src', 'index.ts')] },
    },
    include: blocks.map((b) => b.file),
  }),
);
const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
const run = spawnSync(
  process.execPath,
  [tsc, '-p', join(work, 'tsconfig.json'), '--pretty', 'false'],
  {
    encoding: 'utf8',
  },
);
const out = `${run.stdout}${run.stderr}`;
// Point each error at the README line it comes from.
const mapped = out.replace(
  /^(.*?)\((\d+),(\d+)\): /gm,
  (whole, file: string, line: string, col: string) => {
    const block = blocks.find((b) => resolve(root, file) === b.file);
    if (!block) return whole;
    return `${block.readme}:${block.line + Number(line) - 1 - block.offset}:${col}: `;
  },
);
rmSync(work, { recursive: true, force: true });
if (run.status !== 0) {
  process.stderr.write(`check-readme: README examples do not type-check:\n${mapped}`);
  process.exit(1);
}
process.stdout.write(
  `check-readme: ${blocks.length} ts examples type-check (${readmes.join(', ')})\n`,
);
