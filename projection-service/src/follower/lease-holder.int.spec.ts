import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import type { DocumentStore, LeaseStore } from '@otp/platform/document-store';
import { describe, expect, it } from 'vitest';
import { captureLogger } from '../testing/capture-logger';
import { useTempFolder } from '../testing/temp-folder';
import { LeaseHolder, type LeasedWork } from './lease-holder';

/** What each holder did, in the order it happened across both. */
function journal() {
  const entries: string[] = [];
  let next: (() => void) | undefined;
  return {
    entries,
    note(entry: string) {
      entries.push(entry);
      next?.();
    },
    /** Resolves once `entry` has happened. */
    async until(entry: string): Promise<void> {
      while (!entries.includes(entry)) await new Promise<void>((resolve) => (next = resolve));
    },
  };
}

describe('lease holder', () => {
  const folder = useTempFolder('otp-lease-');
  const { logger } = captureLogger();

  function holder(leases: LeaseStore, owner: string, log: ReturnType<typeof journal>) {
    const held = new LeaseHolder({
      leases,
      name: 'projection-service',
      owner,
      ttlMs: 300,
      renewEveryMs: 50,
      logger,
      start: async (token): Promise<LeasedWork> => {
        log.note(`${owner} started with ${token}`);
        return { stop: async () => log.note(`${owner} stopped`) };
      },
    });
    folder.closeAfter(() => held.stop());
    return held;
  }

  const openStore = (): DocumentStore => {
    const store = openSqliteDocumentStore({ file: folder.path('read-models.sqlite') });
    folder.closeAfter(() => store.close());
    return store;
  };

  it('runs the work on one instance; a clean stop hands it to the standby with the next token', async () => {
    const log = journal();
    const store = openStore();
    const first = holder(store, 'a', log);
    first.start();
    await log.until('a started with 1');
    const second = holder(store, 'b', log);
    second.start();
    expect(second.state).toBe('standby');
    await first.stop();
    await log.until('b started with 2');
    expect(log.entries).toEqual(['a started with 1', 'a stopped', 'b started with 2']);
    expect(second.state).toBe('active');
  });

  it('stops the work at once when a renewal fails, and the standby takes over once the lease expires', async () => {
    const log = journal();
    const store = openStore();
    let reachable = true;
    // The active instance loses its database; the standby still reaches it.
    const cutOff: LeaseStore = {
      acquireLease: (...args) => (reachable ? store.acquireLease(...args) : Promise.reject(new Error('connection reset'))),
      releaseLease: (...args) => (reachable ? store.releaseLease(...args) : Promise.reject(new Error('connection reset'))),
      raiseFence: (...args) => store.raiseFence(...args),
    };
    holder(cutOff, 'a', log).start();
    await log.until('a started with 1');
    holder(store, 'b', log).start();
    reachable = false;
    await log.until('b started with 2');
    expect(log.entries).toEqual(['a started with 1', 'a stopped', 'b started with 2']);
  });

  it('stops the work when it finds another owner holding the lease', async () => {
    const log = journal();
    const store = openStore();
    holder(store, 'a', log).start();
    await log.until('a started with 1');
    // Another instance that saw the lease expired (a clock ahead, a long pause of this one) takes it.
    await store.releaseLease('projection-service', 'a');
    expect(await store.acquireLease('projection-service', 'intruder', 60_000)).toBe(2);
    await log.until('a stopped');
    expect(log.entries).toEqual(['a started with 1', 'a stopped']);
  });
});
