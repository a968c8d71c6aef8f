import { describe, expect, it } from 'vitest';
import { startMoto } from './moto.ts';

describe('startMoto', () => {
  it('says in one line how to install the emulator when it is missing', async () => {
    const error = await startMoto({ bin: 'berth-no-such-moto-server' }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /^moto_server not found: install .*pip install 'moto\[server\]'/,
    );
    expect((error as Error).message).not.toContain('\n');
  });
});
