/**
 * A check as the Management API (v3) returns it. Field names are the API's own, so the
 * Healthchecks documentation applies as written. Read-only keys get no `uuid`, URLs or
 * `channels`, and get `unique_key` instead.
 */
export interface Check {
  name: string;
  slug: string;
  /** Space-separated tags. */
  tags: string;
  desc: string;
  /** Grace time in seconds. */
  grace: number;
  n_pings: number;
  /** `new`, `up`, `grace`, `down`, `paused`. */
  status: string;
  /** True while a run is in progress (after a `start` ping). */
  started: boolean;
  last_ping: string | null;
  next_ping: string | null;
  manual_resume: boolean;
  methods: '' | 'POST';
  subject?: string;
  subject_fail?: string;
  start_kw?: string;
  success_kw?: string;
  failure_kw?: string;
  filter_subject?: boolean;
  filter_body?: boolean;
  last_duration?: number;
  badge_url?: string;
  uuid?: string;
  ping_url?: string;
  update_url?: string;
  pause_url?: string;
  resume_url?: string;
  /** Comma-separated channel ids. */
  channels?: string;
  /** Read-only keys only: a stable id derived from the UUID. */
  unique_key?: string;
  /** Period in seconds (simple checks). */
  timeout?: number;
  /** Cron or OnCalendar expression (schedule checks). */
  schedule?: string;
  tz?: string;
}

/** Fields `unique` can match on when creating a check. */
export type UniqueField = 'name' | 'slug' | 'tags' | 'timeout' | 'grace';

/** Fields of a check that create and update set (only those given change). */
export interface CheckFields {
  /** At most 100 characters. */
  name?: string;
  /** `^[a-z0-9-_]*$`, at most 100. v3 does not derive it from the name. */
  slug?: string;
  /** Space-separated string, or a list. */
  tags?: string | readonly string[];
  desc?: string;
  /** Period in seconds, 60..31,536,000 (not with `schedule`). */
  timeout?: number;
  /** Grace time in seconds, 60..31,536,000. */
  grace?: number;
  /** Cron expression or systemd OnCalendar expression (not with `timeout`). */
  schedule?: string;
  /** Time zone of `schedule`, e.g. `Europe/Berlin`. */
  tz?: string;
  manual_resume?: boolean;
  /** `POST` to ignore pings sent with other methods. */
  methods?: '' | 'POST';
  /** `*` all channels, `` none, or comma-separated channel ids or names. */
  channels?: string;
  subject?: string;
  subject_fail?: string;
  start_kw?: string;
  success_kw?: string;
  failure_kw?: string;
  filter_subject?: boolean;
  filter_body?: boolean;
}

/** A create request: fields plus `unique` (update the matching check instead of adding one). */
export interface CheckSpec extends CheckFields {
  unique?: readonly UniqueField[];
}

/** A check created or updated by create, upsert or register. */
export interface UpsertResult {
  check: Check;
  /** True when a new check was made (HTTP 201); false when `unique` matched one (200). */
  created: boolean;
}

/** One ping in a check's log. */
export interface PingRecord {
  type: 'start' | 'success' | 'fail' | 'log' | 'ign';
  date: string;
  n: number;
  scheme: string;
  remote_addr: string;
  method: string;
  ua: string;
  rid: string | null;
  /** Seconds since the matching `start`, when known. */
  duration?: number;
  exitstatus?: number;
  /** Present when the ping has a body. */
  body_url?: string;
}

/** A status change of a check. */
export interface Flip {
  timestamp: string;
  /** 1 went up, 0 went down. */
  up: 0 | 1;
}

/** A notification channel of the project. */
export interface Channel {
  id: string;
  name: string;
  kind: string;
}

/** Filters of `listFlips`: the last `seconds`, or a `start`/`end` window (UNIX seconds). */
export interface FlipFilter {
  seconds?: number;
  start?: number;
  end?: number;
}

/** A check to remove: by UUID, slug, or name. */
export type CheckRef = { uuid: string } | { slug: string } | { name: string };

/** What `register` did. */
export interface RegisterResult extends UpsertResult {
  /** The check's ping URL (uuid form), to give to the job. */
  pingUrl: string;
}

/** What `deregister` did. */
export interface DeregisterResult {
  /** The checks deleted (their last state). */
  deleted: Check[];
  /** True when no check matched: nothing to do. */
  missing: boolean;
}

/** A check to create or update on scale-out: `name` is required. */
export interface RegisterSpec extends CheckSpec {
  name: string;
}
