import { closeSync, createWriteStream, existsSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { HistoryLine } from '@otp/contracts';
import { progress } from './progress';
import type { AuditService } from './service';

/** How far back from the end of an export the last complete line is looked for. */
const TAIL_BYTES = 4 * 1024 * 1024;

/**
 * The sequence number of the last complete line of an export, 0 for none. A line cut short
 * by an interrupted run (no newline after it) is cut off the file, so the next run writes it whole.
 */
export function resumePoint(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const tail = Buffer.alloc(size - start);
    readSync(fd, tail, 0, tail.length, start);
    const end = tail.lastIndexOf(0x0a);
    if (end < 0) {
      if (start > 0) throw new Error(`${path}: no line end in its last ${TAIL_BYTES} bytes; not an export`);
      ftruncateSync(fd, 0);
      return 0;
    }
    if (end + 1 < tail.length) ftruncateSync(fd, start + end + 1);
    const lineStart = tail.lastIndexOf(0x0a, end - 1) + 1;
    if (lineStart === 0 && start > 0) throw new Error(`${path}: its last line is longer than ${TAIL_BYTES} bytes`);
    return HistoryLine.parse(JSON.parse(tail.subarray(lineStart, end).toString('utf8'))).sequence;
  } finally {
    closeSync(fd);
  }
}

/** Appends the tenant's events after the file's last one to it, as the service sends them. */
export async function exportHistory(service: AuditService, path: string): Promise<{ from: number; to: number }> {
  const from = resumePoint(path);
  const out = createWriteStream(path, { flags: 'a' });
  const shown = progress('export');
  let to = from;
  try {
    for await (const { line, text } of service.events(from)) {
      if (line.sequence !== to + 1) throw new Error(`the service sent sequence ${line.sequence} after ${to}`);
      to = line.sequence;
      shown.event(to);
      if (!out.write(`${text}\n`)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
    shown.done();
  }
  return { from, to };
}
