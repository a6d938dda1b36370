import { join, resolve } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
// Fixture files are not in the TypeScript project, so the type-aware rules are off here; the
// import lines are plain rules and need no types.
const eslint = new ESLint({ cwd: root, overrideConfig: tseslint.configs.disableTypeChecked as Linter.Config });

/** The rules lint reports for one import (of `name`), as if it stood in a file at `file`. */
async function refusalsOf(file: string, from: string, name = 'x'): Promise<(string | null)[]> {
  const [result] = await eslint.lintText(`import { ${name} } from '${from}';\nexport const y = ${name};\n`, { filePath: join(root, file) });
  return result!.messages.map((m) => m.ruleId);
}

// The project's own eslint.config.js on fixture imports: what `npm run lint` would say of such a line.
describe('lint refuses an import across a forbidden line', () => {
  const refused = ['no-restricted-imports'];

  it.each([
    ['@otp/command-service'],
    ['@otp/command-service/http'],
    ['../../command-service/src/handling/refusal'],
    ['@otp/projection-service'],
    ['@otp/projection-service/runner'],
    ['../../projection-service/src/read-model-projections'],
  ])('from the query side into %s', async (from) => expect(await refusalsOf('query-service/src/http/fixture.ts', from)).toEqual(refused));

  it.each([['@otp/command-service'], ['@otp/query-service'], ['../../query-service/src/http/query-routes']])(
    'from the projection side into %s',
    async (from) => expect(await refusalsOf('projection-service/src/projectors/fixture.ts', from)).toEqual(refused),
  );

  it.each([['@otp/platform/event-store/sqlite'], ['@otp/platform/document-store/mongo'], ['better-sqlite3'], ['@otp/query-service']])(
    'from a decider into %s',
    async (from) => expect(await refusalsOf('command-service/src/otp/otp-decider.ts', from)).toEqual(refused),
  );

  it('from contracts into platform', async () =>
    expect(await refusalsOf('contracts/src/api-keys/fixture.ts', '@otp/platform/crypto')).toEqual(refused));

  it("from the query service's composition root into the command side", async () =>
    expect(await refusalsOf('query-service/src/main.ts', '@otp/command-service/auth')).toEqual(refused));

  it("from the command service's composition root into the query side", async () =>
    expect(await refusalsOf('command-service/src/main.ts', '@otp/query-service')).toEqual(refused));
});

// Each form building a route dependency by hand is how one form came to lack what the others had.
describe('lint refuses a composition root that wires a route dependency by hand', () => {
  const refused = ['no-restricted-imports'];

  it.each([
    ['command-service/src/main.ts', './handling/command-handler', 'createCommandHandler'],
    ['command-service/src/main.ts', './http/index', 'commandRoutes'],
    ['query-service/src/main.ts', './http/query-routes', 'queryRoutes'],
    ['query-service/src/main.ts', '@otp/platform/auth', 'createRequestGuard'],
    ['embedded/src/compose.ts', '@otp/command-service', 'createSigningKeyring'],
    ['embedded/src/compose.ts', '@otp/platform/crypto', 'createConsistencyTokens'],
    ['test/support/route-app.ts', '@otp/command-service', 'createOtpQuotaGate'],
    ['test/support/route-app.ts', '@otp/platform/auth', 'browserCors'],
  ])('%s importing %s: %s', async (file, from, name) => expect(await refusalsOf(file, from, name)).toEqual(refused));

  it.each([
    ['command-service/src/main.ts', './composition/compose-command-side', 'composeCommandSide'],
    ['query-service/src/main.ts', '@otp/platform/auth', 'composeRequestEdge'],
    ['embedded/src/compose.ts', '@otp/query-service', 'composeQuerySide'],
    ['test/support/route-app.ts', '@otp/command-service', 'createDevMailbox'],
  ])('%s may import %s: %s', async (file, from, name) => expect(await refusalsOf(file, from, name)).toEqual([]));
});

describe('lint lets the allowed imports through', () => {
  it.each([['@otp/contracts'], ['@otp/platform/auth'], ['@otp/platform/document-store']])('from the query side into %s', async (from) =>
    expect(await refusalsOf('query-service/src/http/fixture.ts', from)).toEqual([]),
  );

  it('from a decider into contracts and a port', async () => {
    expect(await refusalsOf('command-service/src/otp/otp-decider.ts', '@otp/contracts')).toEqual([]);
    expect(await refusalsOf('command-service/src/otp/otp-decider.ts', '@otp/platform/event-store')).toEqual([]);
  });

  it('from the embedded composition root into every service', async () => {
    for (const from of ['@otp/command-service', '@otp/query-service', '@otp/projection-service', '@otp/platform/event-store/sqlite']) {
      expect(await refusalsOf('embedded/src/fixture.ts', from), from).toEqual([]);
    }
  });
});
