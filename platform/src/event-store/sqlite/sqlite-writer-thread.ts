/**
 * Entry of the SQLite store's writer thread: owns the write connection and
 * commits the batches the store sends, one at a time, in order. Sealing,
 * inserting and the commit's fsync happen here, off the event loop that
 * serves requests. Bundled as dist/sqlite-writer-thread.js (scripts/build.mjs).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteBatchWriter } from './batch-writer';
import { settledToWire, toWire, type FromWriter, type ToWriter } from './writer-protocol';

const port = parentPort;
if (!port) throw new Error('sqlite-writer-thread runs as a worker thread');
const { file, busyTimeoutMs } = workerData as { file: string; busyTimeoutMs: number };

const writer = new SqliteBatchWriter(file, busyTimeoutMs);
const send = (message: FromWriter) => port.postMessage(message);

port.on('message', (message: ToWriter) => {
  switch (message.type) {
    case 'commit':
      try {
        send({ type: 'committed', id: message.id, results: writer.commit(message.batch).map(settledToWire) });
      } catch (error) {
        send({ type: 'failed', id: message.id, error: toWire(error) });
      }
      return;
    case 'close':
      writer.close();
      send({ type: 'closed' });
      port.close();
      return;
    default: {
      const unknown: never = message;
      throw new Error(`sqlite writer: unexpected message ${JSON.stringify(unknown)}`);
    }
  }
});
