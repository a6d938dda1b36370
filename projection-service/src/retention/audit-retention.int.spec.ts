import { randomUUID } from 'node:crypto';
import { collections, type AuditEntryDocument } from '@otp/contracts';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { describe, expect, it } from 'vitest';
import { auditProjector } from '../projectors/index';
import { createReadModelProjections } from '../read-model-projections';
import { captureLogger } from '../testing/capture-logger';
import { ids, metadata } from '../testing/events';
import { useTempFolder } from '../testing/temp-folder';
import { createAuditRetention } from './audit-retention';

const temp = useTempFolder('otp-retention-');
const NOW = new Date('2026-06-01T00:00:00.000Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/** The audit projection over real SQLite stores in the test's folder, fed events at the times given. */
async function auditedHistory(times: [tenantId: string, occurredAt: string][]) {
  const eventStore = openSqliteEventStore({ file: temp.path('events.sqlite') });
  const documents = openSqliteDocumentStore({ file: temp.path('read-models.sqlite') });
  temp.closeAfter(
    () => eventStore.close(),
    () => documents.close(),
  );
  const projections = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger, projectors: [auditProjector] });
  await projections.start();
  temp.closeAfter(() => projections.stop());
  const append = async (tenantId: string, occurredAt: string) => {
    const event = {
      id: randomUUID(),
      type: 'OtpChallengeLocked',
      data: { challengeId: ids.challengeA1 },
      metadata: metadata({ tenantId, occurredAt }),
    };
    const { position } = await eventStore.append(`otp-${tenantId}.ek`, [event], 'any');
    expect(await projections.waitForPosition(auditProjector.name, position, 5_000)).toBe(true);
  };
  for (const [tenantId, occurredAt] of times) await append(tenantId, occurredAt);
  const entries = async (tenantId: string) =>
    (await documents.find<AuditEntryDocument>(collections.audit, { where: { tenantId }, orderBy: [['seq', 'asc']] })).map((e) => [
      e.seq,
      e.occurredAt,
    ]);
  return { documents, append, entries, eventStore };
}

describe('audit retention', () => {
  it("deletes each tenant's entries older than the retention, in bounded batches, and numbering goes on where it was", async () => {
    const history = await auditedHistory([
      [ids.tenantA, daysAgo(120)],
      [ids.tenantA, daysAgo(100)],
      [ids.tenantB, daysAgo(95)],
      [ids.tenantA, daysAgo(91)],
      [ids.tenantA, daysAgo(89)],
      [ids.tenantB, daysAgo(1)],
    ]);
    const { logger, lines } = captureLogger();
    const retention = createAuditRetention({ documents: history.documents, logger, retentionDays: 90, now: () => NOW, batchSize: 2 });

    expect(await retention.pruneOnce()).toBe(4);
    expect(await history.entries(ids.tenantA)).toEqual([[4, daysAgo(89)]]);
    expect(await history.entries(ids.tenantB)).toEqual([[2, daysAgo(1)]]);
    // Progress per tenant, then the pass.
    expect(lines().filter((line) => line['component'] === 'audit-retention' && line['level'] === 30)).toEqual([
      expect.objectContaining({ tenantId: ids.tenantA, deleted: 3, msg: 'audit entries past retention pruned' }),
      expect.objectContaining({ tenantId: ids.tenantB, deleted: 1 }),
      expect.objectContaining({ tenants: 2, deleted: 4, msg: 'audit retention pass done' }),
    ]);

    await history.append(ids.tenantA, daysAgo(0));
    expect(await history.entries(ids.tenantA)).toEqual([
      [4, daysAgo(89)],
      [5, daysAgo(0)],
    ]);
    expect(await retention.pruneOnce()).toBe(0);
    // The event store keeps everything.
    expect(await history.eventStore.readAll()).toHaveLength(7);
  });

  it('runs a pass at start and stops between batches', async () => {
    const history = await auditedHistory([
      [ids.tenantA, daysAgo(200)],
      [ids.tenantA, daysAgo(1)],
    ]);
    const { logger, lines } = captureLogger();
    const retention = createAuditRetention({ documents: history.documents, logger, retentionDays: 30, now: () => NOW });
    retention.start();
    await retention.stop();
    expect(lines().some((line) => line.msg === 'audit retention pass done')).toBe(true);
    expect(await history.entries(ids.tenantA)).toEqual([[2, daysAgo(1)]]);
  });
});
