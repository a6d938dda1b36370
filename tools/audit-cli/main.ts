// `npm run audit -- <command>`: the auditor's tool over the service's HTTP API (see HELP).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JSONWebKeySet } from 'jose';
import type { CheckpointClaims, HistoryVerdict } from '@otp/contracts';
import { checkpointFile } from './checkpoint-file';
import { exportHistory } from './export-file';
import { auditService } from './service';
import { fileLines, trustedCheckpoint, verifyLines } from './verify-history';

const HELP = `Usage: npm run audit -- <command> [options]

Reads a tenant's history from the service with an audit:read API key and checks that it
was not altered: every stream's hash chain, and a running hash over all the tenant's
events that signed checkpoints pin. Progress goes to stderr, the verdict to stdout.

Commands:
  export --out <file>     Appends the tenant's events (NDJSON, one per line) to <file>.
                          Resumable: an existing file is continued after its last line.
  checkpoint              Asks the service for a signed checkpoint (the tenant's event
                          count and running hash), checks its signature against the JWKS
                          and appends it, with that JWKS, to the checkpoints file, which
                          so keeps the history of every checkpoint taken.
  verify                  Reads the whole history from the service and verifies it here,
                          and that it extends the last saved checkpoint (only grew since).
    --file <file>         Verifies an exported file instead, offline: no service call.
    --jwks <file>         The JWKS to check the checkpoint's signature with (default: the
                          one saved with it, and online also the service's current one).
    --server              Asks the service to verify (GET /v1/audit/verify) instead.

Options:
  --url <url>             The service (env AUDIT_URL, default http://localhost:3000).
  --key <key>             An API key with audit:read (env AUDIT_API_KEY).
  --checkpoints <file>    The checkpoints file (default audit-checkpoints.ndjson).
  --help                  This text.

Exit status: 0 when the command succeeded and, for verify, the history is valid;
1 when verify finds it invalid or contradicting the checkpoint; 2 on any other failure.`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env['AUDIT_URL'] ?? 'http://localhost:3000' },
    key: { type: 'string', default: process.env['AUDIT_API_KEY'] },
    checkpoints: { type: 'string', default: 'audit-checkpoints.ndjson' },
    out: { type: 'string' },
    file: { type: 'string' },
    jwks: { type: 'string' },
    server: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

const checkpoints = checkpointFile(values.checkpoints);
const service = () => {
  if (!values.key) throw new Error('no API key: pass --key or set AUDIT_API_KEY');
  return auditService({ url: values.url, key: values.key });
};
/** The keys of several sets, one per kid (a JWKS with two keys of one kid matches neither). */
const merged = (...sets: (JSONWebKeySet | undefined)[]): JSONWebKeySet => {
  const byKid = new Map(sets.flatMap((set) => set?.keys ?? []).map((key) => [key.kid, key]));
  return { keys: [...byKid.values()] };
};

async function verify(): Promise<HistoryVerdict> {
  const saved = checkpoints.last();
  if (!saved) process.stderr.write(`no checkpoint in ${checkpoints.path}: verifying the chains only\n`);
  if (values.server) return service().verify(saved?.checkpoint);
  const given = values.jwks ? (JSON.parse(readFileSync(values.jwks, 'utf8')) as JSONWebKeySet) : undefined;
  const online = values.file ? undefined : service();
  const jwks = given ?? merged(saved?.jwks, await online?.jwks());
  const since: CheckpointClaims | undefined = saved
    ? await trustedCheckpoint(saved.checkpoint, jwks, `the checkpoint saved at ${saved.savedAt}`)
    : undefined;
  if (values.file) return verifyLines(fileLines(values.file), since);
  const lines = async function* () {
    for await (const { line } of online!.events(0)) yield line;
  };
  return verifyLines(lines(), since);
}

function verdictText(verdict: HistoryVerdict): string {
  if (verdict.firstBadSequence !== undefined)
    return `INVALID: the event at sequence ${verdict.firstBadSequence} does not match its hash chain`;
  if (verdict.extendsCheckpoint === false)
    return 'INVALID: the history contradicts the last saved checkpoint (it was rewritten, or shortened)';
  const extended = verdict.extendsCheckpoint ? ', and extends the last saved checkpoint' : '';
  return `VALID: ${verdict.eventsChecked} events, every chain holds${extended}`;
}

async function main(): Promise<number> {
  const [command] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case 'export': {
      if (!values.out) throw new Error('export needs --out <file>');
      const { from, to } = await exportHistory(service(), values.out);
      process.stdout.write(`exported sequences ${from + 1} to ${to} into ${values.out}\n`);
      return 0;
    }
    case 'checkpoint': {
      const api = service();
      const [checkpoint, jwks] = await Promise.all([api.checkpoint(), api.jwks()]);
      // Checked before it is kept: the file holds only checkpoints the service's keys signed.
      await trustedCheckpoint(checkpoint.checkpoint, jwks, 'the checkpoint the service sent');
      const saved = checkpoints.save(checkpoint, jwks);
      process.stdout.write(`checkpoint of ${saved.tenantId}: ${saved.sequence} events, head ${saved.head}, saved to ${checkpoints.path}\n`);
      return 0;
    }
    case 'verify': {
      const verdict = await verify();
      process.stdout.write(`${JSON.stringify(verdict)}\n${verdictText(verdict)}\n`);
      return verdict.valid ? 0 : 1;
    }
    default:
      throw new Error(`unknown command ${command}; see --help`);
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
