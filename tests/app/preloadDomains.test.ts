import { describe, expect, it } from 'vitest';
import type { RequestName } from '../../src-main/api/contract';
import { REQUEST_NAMES } from '../../src-main/api/names';
import { BRIDGE_KEYS, domainApi } from '../../src-main/preload/domains';

describe('preload domain API', () => {
  it('has one function per request of the contract, each invoking its own name', async () => {
    const calls: [string, unknown][] = [];
    const api = domainApi(REQUEST_NAMES, async (name, req) => {
      calls.push([name, req]);
      return { ok: true, res: name };
    });
    const built = Object.entries(api).flatMap(([d, methods]) => Object.keys(methods).map((m) => `${d}.${m}`));
    expect(built.sort()).toEqual([...REQUEST_NAMES].sort());
    for (const name of REQUEST_NAMES) {
      const [d, m] = name.split('.') as [string, string];
      expect(await api[d]![m]!({ probe: name })).toEqual({ ok: true, res: name });
    }
    expect(calls).toEqual(REQUEST_NAMES.map((n) => [n, { probe: n }]));
    // The bridge's own keys are spread over the domains: none may be a domain.
    for (const key of BRIDGE_KEYS) expect(api).not.toHaveProperty(key);
  });

  it('refuses a request domain that the bridge keys would overwrite, and a name that is not domain.method', () => {
    const invoke = async () => null;
    expect(() => domainApi(['shell.open' as RequestName], invoke)).toThrow(/collides with the bridge's own 'shell'/);
    expect(() => domainApi(['list' as RequestName], invoke)).toThrow(/not 'domain.method'/);
    expect(() => domainApi(['a.b.c' as RequestName], invoke)).toThrow(/not 'domain.method'/);
  });
});
