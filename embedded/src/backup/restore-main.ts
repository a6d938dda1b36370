import { runDataDirTool } from './data-dir-tool';
import { restoreDataDir } from './restore-data-dir';

// The server must be stopped: the tool refuses while the event store is open elsewhere.
runDataDirTool('restore', 'the backup folder to restore', (dataDir, backup, logger) => {
  const { manifest, movedAside } = restoreDataDir(backup, dataDir, logger);
  logger.info(
    { events: manifest.events, lastPosition: manifest.lastPosition, backupCreatedAt: manifest.createdAt, movedAside },
    'restore: complete; the read models are rebuilt from the restored events at the next start',
  );
});
