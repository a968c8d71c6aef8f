import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

/**
 * Why a file operation failed, in words, from the Node error code. Node's own message names
 * the temporary file of an atomic write, which would only confuse.
 */
export function fileErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return 'its directory does not exist';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Why `file` cannot be replaced by an atomic write (a temporary file in its directory renamed
 * over it), or `undefined` when it can: checked before any AWS call so a bad path fails fast
 * and changes nothing.
 */
export async function whyNotWritable(file: string): Promise<string | undefined> {
  const dir = dirname(resolve(file));
  try {
    if (!(await stat(dir)).isDirectory()) return `${dir} is not a directory`;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return `directory ${dir} does not exist`;
    return `${dir}: ${fileErrorReason(error)}`;
  }
  try {
    await access(dir, constants.W_OK);
  } catch {
    return `cannot create files in ${dir} (permission denied)`;
  }
  try {
    if ((await stat(file)).isDirectory()) return 'it is a directory';
  } catch {
    // does not exist yet: fine
  }
  return undefined;
}
