import { describe, expect, it } from 'vitest';
import { checkImage } from './image.ts';

describe('checkImage', () => {
  it('accepts the references registries use', () => {
    for (const ok of [
      'nginx',
      'nginx:1.27',
      'library/nginx:latest',
      'ghcr.io/acme/app:sha-3f2a1c9',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.2.3',
      '123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app_api:v2',
      'localhost:5000/app:dev',
      'registry.example.com:5000/a/b/c:tag',
      `app@sha256:${'a'.repeat(64)}`,
      `ghcr.io/acme/app:1.0@sha256:${'0'.repeat(64)}`,
    ]) {
      expect(checkImage(ok), ok).toBe(ok);
    }
  });

  it('refuses malformed references with E_INPUT (exit 2), saying what is wrong', () => {
    const cases: [string, RegExp][] = [
      ['123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1:2', /more than one tag \("1:2"\)/],
      ['ghcr.io/Acme/app:1', /repository part "Acme" must be lowercase/],
      ['app:', /the tag "" is not/],
      ['app:-x', /the tag "-x" is not/],
      [`app:${'x'.repeat(129)}`, /the tag .* is not/],
      ['app@sha256:xyz', /the digest "sha256:xyz" is not/],
      ['ghcr.io/acme/app lication:1', /blanks/],
      [':1', /repository name is missing/],
      ['bad_host!.io/app:1', /the registry "bad_host!.io" is not a host name/],
      ['app//x:1', /repository part "" must be/],
      ['', /it is empty/],
    ];
    for (const [image, message] of cases) {
      let error: unknown;
      try {
        checkImage(image);
      } catch (e) {
        error = e;
      }
      expect(error, image).toMatchObject({ code: 'E_INPUT', exitCode: 2 });
      expect((error as Error).message, image).toMatch(message);
    }
  });
});
