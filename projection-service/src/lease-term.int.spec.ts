import { collections } from '@otp/contracts';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { InMemoryMessageBus } from '@otp/platform/message-bus/testing';
import { describe, expect, it, vi } from 'vitest';
import { createLeaseTerm } from './lease-term';
import { usageProjector } from './projectors/index';
import { createReadModelProjections } from './read-model-projections';
import { captureLogger } from './testing/capture-logger';
import { expiredAndOpenChallenges } from './testing/challenges';
import { useTempFolder } from './testing/temp-folder';

const temp = useTempFolder('otp-lease-term-');
const config = {
  KAFKA_TOPIC: 'otp-auth.events',
  KAFKA_TOPIC_PARTITIONS: 1,
  KAFKA_TOPIC_REPLICATION_FACTOR: 1,
  AUDIT_RETENTION_DAYS: 90,
  CHALLENGE_RETENTION_MARGIN_MINUTES: 60,
};

describe('a term of the projection lease', () => {
  it('prunes the expired challenges beside its projections', async () => {
    const eventStore = openSqliteEventStore({ file: temp.path('events.sqlite') });
    const documents = openSqliteDocumentStore({ file: temp.path('read-models.sqlite') });
    temp.closeAfter(
      () => eventStore.close(),
      () => documents.close(),
    );
    const { last, open } = await expiredAndOpenChallenges(eventStore);
    // Projected by a former holder, so the term's first pass finds the checkpoint at the last event.
    const former = createReadModelProjections({ eventStore, documents, logger: captureLogger().logger });
    await former.start();
    expect(await former.waitForPosition(usageProjector.name, last, 5_000)).toBe(true);
    await former.stop();
    expect(await documents.find(collections.usageChallenges, {})).toHaveLength(open.length + 1);

    const { logger, lines } = captureLogger();
    const term = createLeaseTerm({ eventStore, documents, bus: new InMemoryMessageBus(), logger, config }, 1);
    temp.closeAfter(() => term.stop());
    await term.start();
    await vi.waitFor(() => expect(lines()).toContainEqual(expect.objectContaining({ msg: 'expired challenges pass done', deleted: 1 })), {
      timeout: 5_000,
      interval: 20,
    });
    expect((await documents.find(collections.usageChallenges, {})).map((challenge) => challenge._id)).toEqual(open);
  });
});
