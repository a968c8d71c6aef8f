import { quoteInput } from '@berth/internal';
import { invalidInput } from './errors.ts';

/** A port (`22`, `"22"`), a range (`"8000-8100"`, `{ from, to }`), or a comma list (`"22,443"`). */
export type PortInput = number | string | { from: number; to: number };

/** An inclusive port range; `from === to` for a single port. */
export interface PortRange {
  from: number;
  to: number;
}

/** Protocols a window can open. */
export type WindowProtocol = 'tcp' | 'udp';

function checkPort(value: number, text: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw invalidInput(
      `port: ${quoteInput(text)} is not a port number (1-65535); use 22 or a range like 8000-8100`,
    );
  }
  return value;
}

function parseOne(input: PortInput): PortRange[] {
  if (typeof input === 'number') {
    const port = checkPort(input, String(input));
    return [{ from: port, to: port }];
  }
  if (typeof input === 'object') {
    const range = {
      from: checkPort(input.from, String(input.from)),
      to: checkPort(input.to, String(input.to)),
    };
    if (range.from > range.to)
      throw invalidInput(
        `port: range ${range.from}-${range.to} is reversed; write ${range.to}-${range.from}`,
      );
    return [range];
  }
  return input.split(',').map((part) => {
    const text = part.trim();
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
    if (!m)
      throw invalidInput(`port: ${quoteInput(text)} is not a port or range; use 22 or 8000-8100`);
    const from = checkPort(Number(m[1]), text);
    const to = m[2] === undefined ? from : checkPort(Number(m[2]), text);
    if (from > to)
      throw invalidInput(`port: range ${quoteInput(text)} is reversed; write ${to}-${from}`);
    return { from, to };
  });
}

/** Parses and de-duplicates port specifications; at least one is required. */
export function parsePorts(input: PortInput | readonly PortInput[] | undefined): PortRange[] {
  const list = input === undefined ? [] : Array.isArray(input) ? input : [input as PortInput];
  const ranges = list.flatMap(parseOne);
  if (ranges.length === 0) throw invalidInput('port: give at least one port or range, e.g. 22');
  const seen = new Set<string>();
  return ranges.filter((r) => {
    const key = `${r.from}-${r.to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Validates the protocol option (default tcp). */
export function parseProtocol(input: string | undefined): WindowProtocol {
  const value = (input ?? 'tcp').trim().toLowerCase();
  if (value !== 'tcp' && value !== 'udp') {
    throw invalidInput(`protocol: ${quoteInput(input ?? '')} is not supported; use tcp or udp`);
  }
  return value;
}

/** Formats a range as `22` or `8000-8100`. */
export function formatPorts(range: PortRange): string {
  return range.from === range.to ? String(range.from) : `${range.from}-${range.to}`;
}
