import { isLostResponse } from '@berth/internal';
import type { ProgressLogger } from './steps.ts';

/**
 * Undo steps of a create, run in reverse order when it fails: only what this call created
 * (or changed) is listed, so resources that existed before stay untouched.
 */
export class Rollback {
  readonly #steps: { what: string; undo: (failed: readonly string[]) => Promise<unknown> }[] = [];

  /**
   * Records how to undo something just created; `what` names it in messages. `undo` gets what
   * could not be undone so far (a target group cannot go while its rule stays).
   */
  add(what: string, undo: (failed: readonly string[]) => Promise<unknown>): void {
    this.#steps.push({ what, undo });
  }

  /**
   * Sends a write and records its undo when the write was applied, or may have been: after
   * success, and after a lost answer (connection reset, timeout: AWS may have applied it). The
   * undo must be safe either way (put back what was there). A plain AWS error records nothing.
   */
  async around<T>(
    what: string,
    undo: (failed: readonly string[]) => Promise<unknown>,
    send: () => Promise<T>,
  ): Promise<T> {
    try {
      const out = await send();
      this.add(what, undo);
      return out;
    } catch (error) {
      if (isLostResponse(error)) this.add(what, undo);
      throw error;
    }
  }

  /** How many undo steps are recorded. */
  get size(): number {
    return this.#steps.length;
  }

  /** Runs every undo step, newest first; returns what could not be undone. */
  async run(log: ProgressLogger): Promise<string[]> {
    const leftovers: string[] = [];
    for (const step of this.#steps.reverse()) {
      try {
        log.info(`rolling back: ${step.what}`);
        await step.undo(leftovers);
      } catch (error) {
        log.warn?.(`rollback could not undo ${step.what}: ${(error as Error).message}`);
        leftovers.push(step.what);
      }
    }
    this.#steps.length = 0;
    return leftovers;
  }
}
