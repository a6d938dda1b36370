// Bundles each process entry into dist/ with esbuild: workspace packages are
// compiled in, npm dependencies stay external (native modules such as
// better-sqlite3 cannot be bundled). Type checking is `npm run typecheck`.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = {
  embedded: 'embedded/src/main.ts',
  // Started by the embedded server as a worker thread; must sit beside embedded.js.
  'projection-worker': 'embedded/src/projection-worker.ts',
  // The SQLite event store's writer thread; found beside whichever bundle opens the store.
  'sqlite-writer-thread': 'platform/src/event-store/sqlite/sqlite-writer-thread.ts',
  // `npm run backup -- <folder>`: a consistent copy of DATA_DIR while the server runs.
  backup: 'embedded/src/backup/backup-main.ts',
  // `npm run restore -- <folder>`: a backup put in place, the server stopped.
  restore: 'embedded/src/backup/restore-main.ts',
  // `npm run rebuild -- <projection>`: one read model rebuilt beside the live one and swapped in.
  rebuild: 'embedded/src/rebuild/rebuild-main.ts',
  'command-service': 'command-service/src/main.ts',
  'query-service': 'query-service/src/main.ts',
  'projection-service': 'projection-service/src/main.ts',
};

const externalDependencies = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@otp/') ? undefined : { path: args.path, external: true }));
  },
};

const started = Date.now();
const entryPoints = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)));
await build({
  entryPoints,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  plugins: [externalDependencies],
});
console.log(`built ${Object.keys(entryPoints).join(', ')} into dist/ in ${Date.now() - started} ms`);
