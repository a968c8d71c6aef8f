import pkg from '../package.json' with { type: 'json' };

/** This package's version, sent in the User-Agent. */
export const VERSION: string = pkg.version;

/** The User-Agent of every request unless the caller sets one. */
export const DEFAULT_USER_AGENT = `berth-heartbeat/${VERSION}`;
