import { parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { z } from 'zod';
import { openSqliteDocumentStore } from '@otp/platform/document-store/sqlite';
import { openSqliteEventStore } from '@otp/platform/event-store/sqlite';
import { createLogger } from '@otp/platform/logging';
import { createReadModelProjections, createReadModelRetention } from '@otp/projection-service';
import type { ToProjectionThread, FromProjectionThread } from './projection-thread-messages';
import { DATA_DIR_FILES } from './data-dir-files';

/**
 * The read-model projections on their own thread, over their own SQLite
 * connections: projection work (a transaction per batch, several document
 * writes per event) no longer competes with requests for the event loop, and
 * a second core can do it. The same split as the distributed form, inside one
 * process.
 */
const WorkerData = z.object({
  dataDir: z.string(),
  logLevel: z.string(),
  pollIntervalMs: z.number().int().positive(),
  auditRetentionDays: z.number().int().positive(),
  challengeRetentionMarginMinutes: z.number().int().positive(),
});
const { dataDir, logLevel, pollIntervalMs, auditRetentionDays, challengeRetentionMarginMinutes } = WorkerData.parse(workerData);
const port = parentPort;
if (!port) throw new Error('projection-worker must run as a worker thread');
const post = (message: FromProjectionThread) => port.postMessage(message);

const logger = createLogger({ level: logLevel, name: 'otp-auth' }).child({ thread: 'projections' });
// This process's commits are announced by its writer thread; polling is the fallback for other processes'.
const eventStore = openSqliteEventStore({ file: join(dataDir, DATA_DIR_FILES.events), pollIntervalMs });
const documents = openSqliteDocumentStore({ file: join(dataDir, DATA_DIR_FILES.readModels) });
const projections = createReadModelProjections({ eventStore, documents, logger, onChange: (status) => post({ type: 'status', status }) });
const retention = createReadModelRetention({
  documents,
  eventStore,
  logger,
  auditRetentionDays,
  challengeMarginMinutes: challengeRetentionMarginMinutes,
});

port.on('message', (message: ToProjectionThread) => {
  if (message.type === 'rebuild') {
    const { id, projection } = message;
    projections
      .rebuild(projection, (progress) => post({ type: 'rebuild-progress', id, progress }))
      .then(
        (result) => post({ type: 'rebuild-done', id, result }),
        (error: unknown) => post({ type: 'rebuild-failed', id, error: error instanceof Error ? error.message : String(error) }),
      );
    return;
  }
  void (async () => {
    await retention.stop();
    await projections.stop();
    await documents.close();
    await eventStore.close();
    post({ type: 'stopped' });
    port.close();
  })();
});

// Settles once each projection follows the log or has failed; a failure is retried and logged by its runner.
void projections.start().then(() => {
  post({ type: 'started', statuses: projections.statuses() });
  retention.start();
});
