import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useEmbeddedServer } from '../support/embedded-server';
import { logIn, registerCustomer } from '../support/logins';

const EMAIL = 'ada@example.com';

/**
 * A bad day: the operator restores `events.sqlite` from a backup taken before the last logins
 * and keeps `read-models.sqlite`. Usage and audit must show the restored history, not the read
 * models of the one that was lost, and must go on counting from there.
 */
describe('embedded server after events.sqlite is restored from an earlier backup', () => {
  const e2e = useEmbeddedServer('otp-e2e-restore-');

  const today = () => new Date().toISOString().slice(0, 10);
  const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  const read = async (apiKey: string, minPosition: string) => ({
    usage: (
      await e2e.http('GET', `/v1/usage?from=${today()}&to=${tomorrow()}&granularity=day`, {
        token: apiKey,
        headers: { 'x-min-position': minPosition },
      })
    ).body,
    auditTypes: (await e2e.http('GET', '/v1/audit?limit=1000', { token: apiKey, headers: { 'x-min-position': minPosition } })).body.items
      .map((i: { type: string }) => i.type)
      // A key's first use after a restart is recorded in the background, so whether this read sees it is timing.
      .filter((type: string) => type !== 'ApiKeyUsed'),
  });
  /** Requests and verifies a code; answers the position of the login's last event. */
  const login = async (apiKey: string): Promise<string> =>
    (await logIn(e2e.http, e2e.smtp, apiKey, EMAIL)).headers.get('x-event-position')!;
  /**
   * A customer of the case's own, then SQLite's online backup of the log as
   * `sqlite3 events.sqlite ".backup ..."` takes it from a running server (beside the server's
   * files, which it leaves alone), then two logins the backup does not hold.
   */
  const registerBackUpAndLogInTwice = async (name: string) => {
    const registered = await registerCustomer(e2e.http, name);
    const backupFile = join(e2e.dataDir, `backup-${name}.sqlite`);
    const source = new Database(join(e2e.dataDir, 'events.sqlite'), { readonly: true });
    await source.backup(backupFile);
    source.close();
    await login(registered.apiKey);
    return { ...registered, backupFile, lastLogin: await login(registered.apiKey) };
  };

  it('counts two logins made after a backup of a freshly registered customer', async () => {
    const { apiKey, lastLogin } = await registerBackUpAndLogInTwice('Acme');
    const { usage, auditTypes } = await read(apiKey, lastLogin);
    expect(usage.buckets).toEqual([expect.objectContaining({ otpRequested: 2, otpVerified: 2, logins: 2 })]);
    expect(auditTypes.filter((type: string) => type === 'UserLoggedIn')).toHaveLength(2);
  });

  it('rebuilds the read models from the restored log, says so once per projection, and counts on from there', async () => {
    const { apiKey, position: registeredAt, backupFile } = await registerBackUpAndLogInTwice('Globex');
    expect(await e2e.server.stop()).toBe(0);
    for (const suffix of ['-wal', '-shm']) rmSync(join(e2e.dataDir, `events.sqlite${suffix}`), { force: true });
    copyFileSync(backupFile, join(e2e.dataDir, 'events.sqlite'));
    await e2e.start();

    const restored = await read(apiKey, registeredAt);
    expect(restored.usage.buckets).toEqual([expect.objectContaining({ otpRequested: 0, otpVerified: 0, logins: 0 })]);
    expect(restored.auditTypes).toEqual(['CustomerRegistered', 'ApiKeyIssued']);
    const rebuilding = e2e.server.output.filter((line) => line.includes('checkpoint was taken on another event history'));
    // Once per projection: each rebuilds its own read model.
    expect(
      rebuilding
        .map((line) => JSON.parse(line) as { projection: string })
        .map((line) => line.projection)
        .sort(),
    ).toEqual(['audit', 'customers', 'usage']);
    for (const line of rebuilding) expect(JSON.parse(line)).toMatchObject({ level: 50, reason: 'no event at the checkpoint position' });

    // New events take the positions the lost logins had; the rebuilt read models count them.
    const after = await read(apiKey, await login(apiKey));
    expect(after.usage.buckets).toEqual([expect.objectContaining({ otpRequested: 1, otpVerified: 1, logins: 1 })]);
    expect(after.auditTypes.filter((type: string) => type === 'UserLoggedIn')).toHaveLength(1);
  });
});
