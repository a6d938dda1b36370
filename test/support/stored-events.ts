import Database from 'better-sqlite3';

/** The events in an embedded event store file, in commit order, read straight from SQLite, not through the service. */
export function storedEvents(file: string): { type: string; data: Record<string, unknown> }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT type, data FROM events ORDER BY position').all() as { type: string; data: string }[]).map((row) => ({
      type: row.type,
      data: JSON.parse(row.data) as Record<string, unknown>,
    }));
  } finally {
    db.close();
  }
}

/** The position of every event in an event store file, in commit order, as the relay writes them (decimal strings). */
export function storedPositions(file: string): string[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT position FROM events ORDER BY position').all() as { position: number }[]).map((row) => String(row.position));
  } finally {
    db.close();
  }
}
