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

/**
 * Every event of an event store file in commit order: its position as the relay writes it (a
 * decimal string) and the key the relay gives it (the tenant, else the stream name).
 */
export function storedPositions(file: string): { position: string; key: string }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare("SELECT position, stream, json_extract(metadata, '$.tenantId') AS tenant FROM events ORDER BY position")
      .all() as { position: number; stream: string; tenant: string | null }[];
    return rows.map((row) => ({ position: String(row.position), key: row.tenant ?? row.stream }));
  } finally {
    db.close();
  }
}
