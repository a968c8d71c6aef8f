import { describe, expect, it } from 'vitest';
import { DOCKER_TAG_MAX_LENGTH, fromDockerTag, toDockerTag } from './docker-tag.ts';

describe('toDockerTag', () => {
  it('writes + as _ and keeps everything else', () => {
    expect(toDockerTag('2026.105.90307')).toBe('2026.105.90307');
    expect(toDockerTag('2026.105.90307-rc.1+sha.5114f85')).toBe('2026.105.90307-rc.1_sha.5114f85');
    expect(toDockerTag('v2026.105.90307+b')).toBe('2026.105.90307_b');
    expect(fromDockerTag('2026.105.90307-rc.1_sha.5114f85')).toBe(
      '2026.105.90307-rc.1+sha.5114f85',
    );
  });

  it('refuses a tag over 128 characters and what is not SemVer', () => {
    const long = `2026.105.90307+${'a'.repeat(DOCKER_TAG_MAX_LENGTH - 15)}`;
    expect(toDockerTag(long)).toHaveLength(128);
    expect(() => toDockerTag(`${long}a`)).toThrow(
      expect.objectContaining({ code: 'E_DOCKER_TAG_TOO_LONG' }),
    );
    expect(() => toDockerTag('latest')).toThrow(
      expect.objectContaining({ code: 'E_NOT_TIMESTAMP_VERSION' }),
    );
  });
});
