import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeVersionFile } from './version-file.ts';

describe('writeVersionFile', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'semver-timestamp-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the version and a newline, replacing the old file and leaving no temp file', async () => {
    const file = join(dir, 'VERSION');
    await writeFile(file, '2016.0125.0930\n');
    await writeVersionFile(file, '2026.105.90307');
    expect(await readFile(file, 'utf8')).toBe('2026.105.90307\n');
    expect(await readdir(dir)).toEqual(['VERSION']);
  });

  it('fails with E_WRITE_FAILED and exit code 1 when the directory is missing', async () => {
    const file = join(dir, 'missing', 'VERSION');
    await expect(writeVersionFile(file, '2026.105.90307')).rejects.toMatchObject({
      code: 'E_WRITE_FAILED',
      exitCode: 1,
      message: expect.stringMatching(/cannot write version file ".*VERSION" \(ENOENT\)/),
    });
  });
});
