import { describe, expect, it } from 'vitest';
import { environmentName, environmentNames, fitName } from './names.ts';

const config = { namePrefix: 'app', domain: 'preview.example.com', scheme: 'https' as const };

describe('environmentName', () => {
  it('turns pull request numbers into pr-<n>', () => {
    for (const input of ['123', '#123', 'pr-123', 'PR123', 'pull/123', ' 123 ']) {
      expect(environmentName(input)).toEqual({ name: 'pr-123', pr: 123 });
    }
  });

  it('turns branch names into DNS labels', () => {
    expect(environmentName('refs/heads/Feature/Login_Form')).toEqual({
      name: 'feature-login-form',
    });
    expect(environmentName('--fix..it--')).toEqual({ name: 'fix-it' });
    expect(environmentName('dependabot/npm_and_yarn/vite-5.0.1').name).toBe(
      'dependabot-npm-and-yarn-vite-5-0-1',
    );
    expect(environmentName('Café/Crème')).toEqual({ name: 'cafe-creme' });
  });

  it('never takes a name that reduces to a bare number for a pull request', () => {
    for (const [input, name] of [
      ['1-', 'n-1'],
      ['#-1', 'n-1'],
      ['0', 'n-0'],
      ['1234567890', 'n-1234567890'],
      ['v1', 'v1'],
    ]) {
      expect(environmentName(input as string), input).toEqual({ name });
    }
    expect(environmentName('n-1')).toEqual({ name: 'n-1' });
    expect(environmentName('1').name).toBe('pr-1');
  });

  it('maps names of other scripts to a stable valid name', () => {
    const a = environmentName('機能/ログイン').name;
    expect(a).toMatch(/^x-[0-9a-f]{6}$/);
    expect(environmentName('機能/ログイン').name).toBe(a);
    expect(environmentName('機能/サインアップ').name).not.toBe(a);
    const b = environmentName('feature/機能').name;
    expect(b).toMatch(/^feature-[0-9a-f]{6}$/);
    expect(b).not.toBe(environmentName('feature').name);
  });

  it('is its own fixed point, so create and delete agree', () => {
    for (const input of [
      '123',
      'Feature/X',
      'a'.repeat(100),
      'release/2026.11',
      '1-',
      '#-1',
      '0',
      '機能/ログイン',
      'feature/機能',
      `${'9'.repeat(70)}`,
      'Ünïcödé',
    ]) {
      const once = environmentName(input);
      expect(environmentName(once.name)).toEqual(once);
    }
  });

  it('cuts long names with a stable hash', () => {
    const long = `feature/${'x'.repeat(80)}`;
    const name = environmentName(long).name;
    expect(name).toHaveLength(63);
    expect(name).toMatch(/^feature-x+-[0-9a-f]{6}$/);
    expect(environmentName(long).name).toBe(name);
    expect(environmentName(`${long}y`).name).not.toBe(name);
  });

  it('refuses names with nothing usable', () => {
    expect(() => environmentName('///')).toThrow(
      expect.objectContaining({ code: 'E_NAME', exitCode: 2 }),
    );
  });
});

describe('environmentNames', () => {
  it('derives every resource name within its limit', () => {
    expect(environmentNames('123', config)).toEqual({
      name: 'pr-123',
      pr: 123,
      host: 'pr-123.preview.example.com',
      url: 'https://pr-123.preview.example.com',
      serviceName: 'app-pr-123',
      family: 'app-pr-123',
      targetGroupName: 'app-pr-123',
    });
  });

  it('keeps two long branches with a common prefix apart', () => {
    const a = environmentNames('feature/checkout-redesign-payment-step-a', config);
    const b = environmentNames('feature/checkout-redesign-payment-step-b', config);
    expect(a.targetGroupName).toHaveLength(32);
    expect(a.targetGroupName).not.toBe(b.targetGroupName);
    expect(a.targetGroupName).toMatch(/^app-feature-checkout-rede-[0-9a-f]{6}$/);
    expect(a.serviceName).toBe('app-feature-checkout-redesign-payment-step-a');
  });

  it('fits the host header limit with a long domain', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(40)}.example.com`;
    const n = environmentNames('x'.repeat(63), { ...config, domain });
    expect(n.host.length).toBeLessThanOrEqual(128);
    expect(n.host.endsWith(`.${domain}`)).toBe(true);
  });

  it('never ends a cut name in a hyphen before the hash', () => {
    expect(fitName(`ab-${'-'.repeat(30)}cd`, 12)).toMatch(/^ab-[0-9a-f]{6}$/);
  });
});
