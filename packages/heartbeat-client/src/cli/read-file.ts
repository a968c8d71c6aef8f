/**
 * Reads a file for `ping --body-file` and `sync`. `node:fs/promises` is loaded here, on use:
 * imported at the top of the CLI it would slow every `heartbeat run`.
 */
export async function readFileOnUse(path: string): Promise<Buffer> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path);
}
