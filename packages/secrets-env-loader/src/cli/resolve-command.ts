import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Finds `command` on `path` the way a shell would. `--pristine` hands the child an
 * environment without PATH, and Node looks commands up on the child's PATH, so the wrapper
 * resolves it against its own first.
 */
export function resolveCommand(command: string, path: string | undefined): string {
  if (command.includes('/') || !path) return command;
  for (const dir of path.split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: keep looking
    }
  }
  return command;
}
