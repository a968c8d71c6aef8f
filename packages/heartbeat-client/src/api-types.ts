/**
 * A check as the Management API (v3) returns it, field for field as Healthchecks v3.11 sends
 * it (kept honest by a test over recorded answers of a real server). Field names are the
 * API's own, so the Healthchecks documentation applies as written. Read-write keys get
 * `uuid`, the URLs and `channels`; read-only keys get none of them and `unique_key` instead.
 * Simple checks have `timeout`; cron and OnCalendar checks `schedule` and `tz`.
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
  /** ISO 8601 time of the last ping, or null. */
  last_ping: string | null;
  /** ISO 8601 time the next ping is expected, or null (paused, new, cron checks). */
  next_ping: string | null;
  manual_resume: boolean;
  methods: '' | 'POST';
  subject: string;
  subject_fail: string;
  start_kw: string;
  success_kw: string;
  failure_kw: string;
  filter_subject: boolean;
  filter_body: boolean;
  /** Sent only when the last run's duration is known (seconds). */
  last_duration?: number;
  /** The check's badge (its key is not the check's UUID). */
  badge_url: string;
  /** Read-write keys only. */
  uuid?: string;
  /** Read-write keys only. */
  ping_url?: string;
  /** Read-write keys only. */
  update_url?: string;
  /** Read-write keys only. */
  pause_url?: string;
  /** Read-write keys only. */
  resume_url?: string;
  /** Read-write keys only: comma-separated channel ids. */
  channels?: string;
  /** Read-only keys only: a stable id derived from the UUID (40 hex digits). */
  unique_key?: string;
  /** Period in seconds (simple checks). */
  timeout?: number;
  /** Cron or OnCalendar expression (schedule checks). */
  schedule?: string;
  /** Time zone of `schedule` (schedule checks). */
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

/** One ping in a check's log, as the server sends it (every field always present). */
export interface PingRecord {
  /** `start`, `success`, `fail`, `log`, or `ign` (ignored: e.g. not a POST when POST is required). */
  type: 'start' | 'success' | 'fail' | 'log' | 'ign';
  /** ISO 8601 time with microseconds. */
  date: string;
  /** The ping's number within its check; null for pings from before numbering. */
  n: number | null;
  /** `http`, `https`, `email`. */
  scheme: string;
  /** The sender's address; null when the server could not tell. */
  remote_addr: string | null;
  method: string;
  ua: string;
  /** The run id sent as `rid`, or null. */
  rid: string | null;
  /**
   * Where the ping's body can be fetched (see `getPingBody`), or null when it has none. An
   * exit status is not sent back: a non-zero one shows as `type: 'fail'`.
   */
  body_url: string | null;
  /** Seconds since the matching `start`, sent only when known. */
  duration?: number;
}

/** A status change of a check. */
export interface Flip {
  timestamp: string;
  /** 1 went up, 0 went down. */
  up: 0 | 1;
}

/** The URLs of one badge (`GET badges/`): v2 and v3 (`...3`) forms of each format. */
export interface BadgeUrls {
  svg: string;
  svg3: string;
  json: string;
  json3: string;
  shields: string;
  shields3: string;
}

/** The stored body of a ping: its bytes as sent (cut to the server's limit). */
export interface StoredPingBody {
  /** The body, byte for byte. */
  bytes: Uint8Array;
  /** The body decoded as UTF-8 (invalid sequences become U+FFFD). */
  text(): string;
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
