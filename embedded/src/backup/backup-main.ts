import { backupDataDir, MANIFEST_FILE } from './backup-data-dir';
import { runDataDirTool } from './data-dir-tool';

runDataDirTool('backup', 'the folder to write the backup to', async (dataDir, destination, logger) => {
  const manifest = await backupDataDir(dataDir, destination, logger);
  logger.info(
    { events: manifest.events, lastPosition: manifest.lastPosition, files: manifest.files.map((f) => f.name), manifest: MANIFEST_FILE },
    'backup: complete',
  );
});
