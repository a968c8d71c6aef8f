import { getState, saveState } from '@berth/internal/github-actions';

/** What `main` leaves for `post`: exactly the rules to close, and whose hold they carry. */
export interface WindowState {
  owner: string;
  rules: { groupId: string; ruleId: string }[];
  /** True when `main` already closed the window (after `run`). */
  closed: boolean;
}

const KEY = 'sg-ip-window';

/** Saves the window for the post step. */
export function saveWindowState(state: WindowState, env: NodeJS.ProcessEnv): void {
  saveState(KEY, JSON.stringify(state), env);
}

/** Reads the window `main` saved; `undefined` when main never opened one. */
export function readWindowState(env: NodeJS.ProcessEnv): WindowState | undefined {
  const raw = getState(KEY, env);
  if (raw === '') return undefined;
  return JSON.parse(raw) as WindowState;
}
