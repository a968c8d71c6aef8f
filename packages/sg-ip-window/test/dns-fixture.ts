import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';

/** What the fixture answers to one query: records, `hang` (no reply) or `nxdomain`. */
export type DnsAnswer = { type: 'A' | 'AAAA' | 'TXT'; value: string }[] | 'hang' | 'nxdomain';

/** A DNS server on loopback UDP, for testing the DNS IP sources against a real peer. */
export interface DnsFixture {
  /** `127.0.0.1:<port>`, as `Resolver.setServers` takes it. */
  server: string;
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

const TYPES = { A: 1, AAAA: 28, TXT: 16 } as const;

function encodeAddress(value: string): Buffer {
  if (isIP(value) === 4) return Buffer.from(value.split('.').map(Number));
  const [head = '', tail = ''] = value.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = value.includes('::')
    ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t]
    : h;
  const buf = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) buf.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return buf;
}

/** Starts the fixture; `answer` decides the reply to each query name. */
export async function startDnsFixture(answer: (name: string) => DnsAnswer): Promise<DnsFixture> {
  const socket = createSocket('udp4');
  const queries: { name: string; type: number }[] = [];
  socket.on('message', (msg, rinfo) => {
    let offset = 12;
    const labels: string[] = [];
    while (msg[offset] !== 0 && offset < msg.length) {
      const len = msg[offset] as number;
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString());
      offset += len + 1;
    }
    offset += 1;
    const qtype = msg.readUInt16BE(offset);
    const questionEnd = offset + 4;
    const name = labels.join('.');
    queries.push({ name, type: qtype });
    const reply = answer(name);
    if (reply === 'hang') return;
    const records = reply === 'nxdomain' ? [] : reply.filter((r) => TYPES[r.type] === qtype);
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(reply === 'nxdomain' ? 0x8183 : 0x8180, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(records.length, 6);
    const parts: Buffer[] = [header, Buffer.from(msg.subarray(12, questionEnd))];
    for (const r of records) {
      const rdata =
        r.type === 'TXT'
          ? Buffer.concat([Buffer.from([Buffer.byteLength(r.value)]), Buffer.from(r.value)])
          : encodeAddress(r.value);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(TYPES[r.type], 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(0, 6);
      rr.writeUInt16BE(rdata.length, 10);
      parts.push(rr, rdata);
    }
    socket.send(Buffer.concat(parts), rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    server: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
