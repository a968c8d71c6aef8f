import { Resolver } from 'node:dns/promises';
import { quoteInput } from '@berth/internal';
import { invalidInput } from './errors.ts';

/**
 * One way to learn this machine's public address. `lookup` returns the raw answer (an HTTP
 * body, a DNS record); {@link detectPublicIp} validates it. It must give up when `signal`
 * aborts: the race aborts the losers as soon as one source answers.
 */
export interface IpSource {
  /** Shown in results and errors, e.g. `https://checkip.amazonaws.com`. */
  readonly name: string;
  lookup(signal: AbortSignal): Promise<string>;
}

// An address is at most 45 characters: a longer body is not an answer, and a hostile or
// broken server must not make us buffer megabytes.
const MAX_ANSWER_BYTES = 256;

/**
 * An HTTP(S) service that answers with the caller's address as plain text (checkip,
 * ipify, icanhazip, or a corporate echo service).
 *
 * @example
 * ```ts
 * const source = httpIpSource('https://ip.internal.example.com/');
 * ```
 */
export function httpIpSource(url: string, options: { name?: string } = {}): IpSource {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalidInput(`IP source ${quoteInput(url)} is not a URL; use https://host/path`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw invalidInput(`IP source ${quoteInput(url)} must be an http:// or https:// URL`);
  }
  const name = options.name ?? url;
  return {
    name,
    async lookup(signal) {
      const response = await fetch(parsed, {
        signal,
        headers: { accept: 'text/plain', 'user-agent': '@berth/sg-ip-window' },
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      return readCapped(response);
    },
  };
}

async function readCapped(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Error(`answer longer than ${MAX_ANSWER_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Options of {@link dnsIpSource}. */
export interface DnsIpSourceOptions {
  /** The name whose answer is the caller's address, e.g. `myip.opendns.com`. */
  hostname: string;
  /** Name servers asked directly (`1.2.3.4`, `1.2.3.4:5353`, `[::1]:53`), never the system's. */
  servers: string[];
  /** Record type holding the address (default `A`). */
  rrtype?: 'A' | 'AAAA' | 'TXT';
  name?: string;
}

/**
 * A DNS "what is my address" trick, asked through a dedicated resolver (the system resolver
 * would forward the query and report its own address, or cache another host's answer).
 *
 * @example
 * ```ts
 * // dig +short myip.opendns.com @resolver1.opendns.com
 * const openDns = dnsIpSource({ hostname: 'myip.opendns.com', servers: ['208.67.222.222'] });
 * ```
 */
export function dnsIpSource(options: DnsIpSourceOptions): IpSource {
  const rrtype = options.rrtype ?? 'A';
  const name = options.name ?? `dns:${options.hostname} ${rrtype} @${options.servers.join(',')}`;
  if (options.servers.length === 0) throw invalidInput(`IP source ${name} has no DNS server`);
  return {
    name,
    async lookup(signal) {
      const resolver = new Resolver({ timeout: 3_000, tries: 1 });
      try {
        resolver.setServers(options.servers);
      } catch {
        throw new Error(`invalid DNS server in ${options.servers.join(', ')}`);
      }
      const onAbort = () => resolver.cancel();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        if (signal.aborted) throw signal.reason;
        if (rrtype === 'TXT') {
          const records = await resolver.resolveTxt(options.hostname);
          return (records[0] ?? []).join('');
        }
        const records =
          rrtype === 'A'
            ? await resolver.resolve4(options.hostname)
            : await resolver.resolve6(options.hostname);
        if (records.length === 0) throw new Error('no record');
        return records[0] as string;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
  };
}

/**
 * The sources raced when none are given: three HTTPS services and two DNS tricks (OpenDNS
 * over IPv4 and IPv6, Google's `o-o.myaddr` TXT record), so one blocked port, one slow
 * service or one outage does not stop discovery.
 */
export function defaultIpSources(): IpSource[] {
  return [
    httpIpSource('https://checkip.amazonaws.com/'),
    httpIpSource('https://api64.ipify.org/'),
    httpIpSource('https://icanhazip.com/'),
    dnsIpSource({
      name: 'dns:myip.opendns.com@resolver1.opendns.com',
      hostname: 'myip.opendns.com',
      servers: ['208.67.222.222', '208.67.220.220'],
    }),
    dnsIpSource({
      name: 'dns:myip.opendns.com AAAA@resolver1.opendns.com',
      hostname: 'myip.opendns.com',
      servers: ['2620:119:35::35', '2620:119:53::53'],
      rrtype: 'AAAA',
    }),
    dnsIpSource({
      name: 'dns:o-o.myaddr.l.google.com TXT@ns1.google.com',
      hostname: 'o-o.myaddr.l.google.com',
      servers: ['216.239.32.10'],
      rrtype: 'TXT',
    }),
  ];
}

/**
 * Parses a source written on a command line: an `http(s)://` URL, or
 * `dns://<server>[:port]/<hostname>[?type=A|AAAA|TXT]`.
 *
 * @example
 * ```ts
 * parseIpSource('dns://208.67.222.222/myip.opendns.com?type=A');
 * ```
 */
export function parseIpSource(text: string): IpSource {
  const trimmed = text.trim();
  if (!trimmed.startsWith('dns://')) return httpIpSource(trimmed);
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalidInput(
      `IP source ${quoteInput(text)} is not a URL; use dns://<server>/<hostname>?type=A`,
    );
  }
  const hostname = url.pathname.replace(/^\/+/, '');
  const type = (url.searchParams.get('type') ?? 'A').toUpperCase();
  if (!url.host || hostname === '') {
    throw invalidInput(
      `IP source ${quoteInput(text)} needs a server and a name: dns://<server>/<hostname>`,
    );
  }
  if (type !== 'A' && type !== 'AAAA' && type !== 'TXT') {
    throw invalidInput(`IP source ${quoteInput(text)}: type must be A, AAAA or TXT`);
  }
  return dnsIpSource({ name: trimmed, hostname, servers: [url.host], rrtype: type });
}
