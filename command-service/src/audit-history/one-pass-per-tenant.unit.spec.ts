import { describe, expect, it } from 'vitest';
import { Refusal } from '../handling/refusal';
import { OnePassPerTenant } from './one-pass-per-tenant';

describe('one pass over a tenant history at a time', () => {
  it("refuses a second pass of the tenant while the first runs, with a wait, and lets other tenants' passes run", async () => {
    const passes = new OnePassPerTenant();
    let finish!: (value: string) => void;
    const first = passes.run('acme', () => new Promise<string>((resolve) => (finish = resolve)));

    const refused = await passes.run('acme', () => Promise.resolve('second')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Refusal);
    expect(refused).toMatchObject({ code: 'history_pass_running', details: { retryAfterSeconds: 2 } });
    expect(await passes.run('globex', () => Promise.resolve('other tenant'))).toBe('other tenant');

    finish('first');
    expect(await first).toBe('first');
    expect(await passes.run('acme', () => Promise.resolve('after'))).toBe('after');
  });

  it('lets the tenant pass again after a pass that failed', async () => {
    const passes = new OnePassPerTenant();
    await expect(passes.run('acme', () => Promise.reject(new Error('disk')))).rejects.toThrow('disk');
    expect(await passes.run('acme', () => Promise.resolve('again'))).toBe('again');
  });
});
