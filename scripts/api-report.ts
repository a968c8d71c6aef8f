// The public API of every published package on record: API Extractor reads the package's
// built, bundled type declarations (dist/index.d.ts from tsup) and writes a review file,
// packages/<dir>/api/<dir>.api.md, which is committed, so every change of a package's public
// surface shows in review as a diff of that file.
//
//   pnpm api:check    (node scripts/api-report.ts)           fails when a report is out of date
//   pnpm api:update   (node scripts/api-report.ts --update)  rewrites the reports
//
// Both need the packages built (pnpm turbo run build --filter='./packages/*').
// Why API Extractor: it is the maintained tool for exactly this (.api.md reports, used by
// the TypeScript and Azure SDK monorepos), reads the one .d.ts bundle tsup already makes, so
// it fits ESM + tsup without a second build; its other features (doc model, d.ts rollup)
// stay off.
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = resolve(import.meta.dirname, '..');
const update = process.argv.includes('--update');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const typescriptFolder = dirname(
  createRequire(join(root, 'package.json')).resolve('typescript/package.json'),
);

interface Manifest {
  name: string;
  private?: boolean;
  types?: string;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({
    dir,
    path: join(root, 'packages', dir),
    manifest: JSON.parse(
      readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'),
    ) as Manifest,
  }))
  .filter((p) => p.manifest.private !== true && (only.length === 0 || only.includes(p.dir)));

let failed = 0;
for (const pkg of packages) {
  const entry = join(pkg.path, pkg.manifest.types ?? 'dist/index.d.ts');
  if (!existsSync(entry)) {
    process.stderr.write(
      `api-report: ${relative(root, entry)} is missing: build the package first\n`,
    );
    failed++;
    continue;
  }
  const reportFolder = join(pkg.path, 'api');
  mkdirSync(reportFolder, { recursive: true });
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: pkg.path,
      mainEntryPointFilePath: entry,
      compiler: {
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            types: ['node'],
            strict: true,
            skipLibCheck: true,
          },
          include: [entry],
        },
      },
      apiReport: {
        enabled: true,
        reportFolder,
        reportTempFolder: join(pkg.path, 'node_modules/.api-report'),
        reportFileName: `${pkg.dir}.api.md`,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        // The report is the record; release tags (@public, @beta) are not used in Berth.
        extractorMessageReporting: {
          'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
          'ae-forgotten-export': { logLevel: ExtractorLogLevel.None },
        },
        tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: join(pkg.path, 'package.json'),
  } as Parameters<typeof ExtractorConfig.prepare>[0]);
  const result = Extractor.invoke(config, {
    localBuild: update,
    typescriptCompilerFolder: typescriptFolder,
    showVerboseMessages: false,
    messageCallback: (message) => {
      // Only what needs action: the report changed, or an error.
      if (message.logLevel === ExtractorLogLevel.Error) return;
      if (message.messageId === 'console-api-report-changed' && update) {
        message.handled = true;
        return;
      }
      if (message.logLevel !== ExtractorLogLevel.Warning) message.handled = true;
    },
  });
  const report = relative(root, join(reportFolder, `${pkg.dir}.api.md`));
  if (result.succeeded && !result.apiReportChanged) {
    process.stdout.write(`api-report: ${report} is up to date\n`);
  } else if (update && result.errorCount === 0) {
    process.stdout.write(`api-report: ${report} written\n`);
  } else {
    failed++;
    process.stderr.write(
      result.apiReportChanged
        ? `api-report: the public API of ${pkg.manifest.name} differs from ${report}; if the change is meant, run pnpm api:update and commit the report\n`
        : `api-report: ${pkg.manifest.name}: ${result.errorCount} error(s)\n`,
    );
  }
}
process.exitCode = failed > 0 ? 1 : 0;
