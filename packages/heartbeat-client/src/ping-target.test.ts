import { describe, expect, it } from 'vitest';
import { HeartbeatError } from './errors.ts';
import { maskPingUrl, pingEndpoint, resolveTarget } from './ping-target.ts';

const UUID = '5bf66975-d4c7-4bf5-bcc8-b8d8a82ea278';

describe('resolveTarget', () => {
  it('takes a ping URL as given and masks its UUID for display', () => {
    const t = resolveTarget({ pingUrl: `https://hc.example.com/ping/${UUID}` });
    expect(pingEndpoint(t, 'start', '11111111-1111-4111-8111-111111111111')).toBe(
      `https://hc.example.com/ping/${UUID}/start?rid=11111111-1111-4111-8111-111111111111`,
    );
    expect(pingEndpoint(t, '')).toBe(`https://hc.example.com/ping/${UUID}`);
    expect(t.display).toBe('https://hc.example.com/ping/********a278');
    expect(t.display).not.toContain(UUID);
  });

  it('builds uuid and slug forms under a base URL', () => {
    expect(pingEndpoint(resolveTarget({ uuid: UUID }), '3')).toBe(`https://hc-ping.com/${UUID}/3`);
    const slug = resolveTarget({
      slug: 'nightly-backup',
      pingKey: 'fqOOd6-F4MMNuCEnzTU01w',
      create: true,
      baseUrl: 'http://h/ping/',
    });
    expect(pingEndpoint(slug, 'fail')).toBe(
      'http://h/ping/fqOOd6-F4MMNuCEnzTU01w/nightly-backup/fail?create=1',
    );
    expect(slug.display).toBe('http://h/ping/********U01w/nightly-backup');
  });

  it('masks the ping key of a slug-form ping URL', () => {
    expect(maskPingUrl('https://hc-ping.com/fqOOd6-F4MMNuCEnzTU01w/db-backup?create=1')).toBe(
      'https://hc-ping.com/********U01w/db-backup',
    );
  });

  it.each([
    [{}, /no check to ping/],
    [{ pingUrl: 'x', uuid: UUID }, /only one of pingUrl, uuid/],
    [{ pingUrl: 'not a url' }, /not a URL/],
    [{ pingUrl: 'ftp://h/x' }, /http or https/],
    [{ pingUrl: `https://hc-ping.com/${UUID}/start` }, /ends with \/start/],
    [{ uuid: 'abc' }, /not a UUID/],
    [{ uuid: UUID, create: true }, /create works only with a slug/],
    [{ slug: 'Backup', pingKey: 'k' }, /uppercase.*\(backup\)/],
    [{ slug: 'a b', pingKey: 'k' }, /may only hold/],
    [{ slug: 'backup' }, /needs the project ping key/],
  ])('refuses %j', (options, message) => {
    let caught: unknown;
    try {
      resolveTarget(options);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(HeartbeatError);
    expect((caught as HeartbeatError).code).toBe('E_INPUT');
    expect((caught as HeartbeatError).message).toMatch(message);
  });
});
