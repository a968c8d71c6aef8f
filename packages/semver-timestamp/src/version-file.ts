import { quoteInput, writeFileAtomic } from '@berth/internal';
import { SemverTimestampError } from './errors.ts';

/**
 * Writes a version file (the version and a newline) atomically: readers see the old file or
 * the new one, never a half-written one, even when builds race.
 *
 * @throws SemverTimestampError `E_WRITE_FAILED` (exit code 1) when the file cannot be written.
 * @example
 * ```ts
 * await writeVersionFile('VERSION', timestampVersion().version);
 * ```
 */
export async function writeVersionFile(file: string, version: string): Promise<void> {
  try {
    await writeFileAtomic(file, `${version}\n`);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SemverTimestampError(
      'E_WRITE_FAILED',
      `cannot write version file ${quoteInput(file, 200)} (${reason}); check that its directory exists and is writable`,
      { cause: error, exitCode: 1 },
    );
  }
}
