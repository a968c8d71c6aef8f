import type { Writable } from 'node:stream';
import { isBerthError, UsageError } from './errors.ts';
import { safeJson, safeLine } from './safe-text.ts';

/** The `error` member of a `--json` failure document. */
export interface ErrorJson {
  /** Stable code (`E_INPUT` for bad input; `E_UNEXPECTED` for a failure that is not a Berth error). */
  code: string;
  message: string;
  retryable: boolean;
  /** Further fields the package's error class adds in its `toJSON()` (e.g. `name`, `step`). */
  [key: string]: unknown;
}

/**
 * The JSON form of any error, as `--json` prints it under `"error"`: a Berth error's own
 * `toJSON()` (never its cause), otherwise `E_UNEXPECTED` with the message.
 */
export function errorJson(error: unknown): ErrorJson {
  if (isBerthError(error)) {
    const own = (error as { toJSON?: () => unknown }).toJSON?.();
    return {
      ...(typeof own === 'object' && own !== null ? own : {}),
      code: error.code,
      message: error.message,
      retryable: error.retryable,
    };
  }
  return {
    code: 'E_UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
    retryable: false,
  };
}

/** Where and how {@link renderError} writes. */
export interface RenderErrorOptions {
  /** The program name that prefixes the stderr line. */
  program: string;
  /** Also print `{"error": {...}}` on stdout. */
  json: boolean;
  io: { stdout: Writable; stderr: Writable; env: NodeJS.ProcessEnv };
}

/**
 * Reports an error that ended a command, the same way for every Berth CLI, and returns the
 * exit code: one line on stderr (`prog: error: ...`, made safe with `safeLine`; usage errors
 * point to `--help`), and with `json` also `{"error": {"code", "message", "retryable", ...}}`
 * on stdout. Exit code: the Berth error's own (usage 2), 1 for anything else.
 * `BERTH_DEBUG=1` adds the cause (and the stack of an unexpected failure).
 */
export function renderError(error: unknown, options: RenderErrorOptions): number {
  const { io, program } = options;
  const line = (text: string) => io.stderr.write(`${safeLine(`${program}: error: ${text}`)}\n`);
  let exitCode = 1;
  if (error instanceof UsageError) {
    line(`${error.message} (see ${program} --help)`);
    exitCode = 2;
  } else if (isBerthError(error)) {
    line(error.message);
    if (io.env.BERTH_DEBUG && error.cause !== undefined) line(`cause: ${String(error.cause)}`);
    exitCode = error.exitCode;
  } else {
    line(`unexpected failure: ${error instanceof Error ? error.message : String(error)}`);
    if (io.env.BERTH_DEBUG && error instanceof Error && error.stack) {
      for (const l of error.stack.split('\n').slice(1)) io.stderr.write(`${safeLine(l)}\n`);
    }
  }
  if (options.json) io.stdout.write(`${safeJson({ error: errorJson(error) })}\n`);
  return exitCode;
}
