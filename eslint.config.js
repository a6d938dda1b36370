import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The lines imports may not cross (docs/architecture.md, "Who may import whom").
// Each file group gets one rule with every pattern that applies to it: a later
// block's options replace an earlier one's, they do not add to them.
const adapters = {
  group: [
    '@otp/platform/*/sqlite',
    '@otp/platform/*/esdb',
    '@otp/platform/*/mongo',
    '@otp/platform/*/kafka',
    'better-sqlite3',
    'mongodb',
    'kafkajs',
    '@eventstore/db-client',
  ],
  message: 'domain code depends on ports, not adapters',
};
/** A workspace, by its package name or by a relative path into its sources. */
const workspace = (name, message) => ({ group: [`@otp/${name}`, `@otp/${name}/*`, `**/${name}/src/**`], message });
const refuse = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });

const commandSide = (from) =>
  workspace('command-service', `${from} never imports the command side: what both need is in contracts or platform`);
const querySide = (from) => workspace('query-service', `${from} never imports the query side`);
const projectors = (from) => workspace('projection-service', `${from} never imports the projectors: the names both need are in contracts`);
// What the compositions build (composeCommandSide, composeQuerySide, composeRequestEdge): a composition
// root that wires one by hand is a form that drifts from the others.
const handWired = {
  regex: '.',
  importNames: [
    'commandRoutes',
    'queryRoutes',
    'createCommandHandler',
    'createTenantMailers',
    'createSigningKeyring',
    'createTokenIssuer',
    'createKeyUseRecorder',
    'createLimitRecorder',
    'createOtpQuotaGate',
    'otpUsageFromReadModel',
    'createRequestGuard',
    'createApiKeyAuthenticator',
    'createOperatorCheck',
    'createServiceKeyCheck',
    'browserCors',
    'createConsistencyTokens',
    'signupLimitsFrom',
  ],
  message:
    'a composition root wires the routes through composeCommandSide, composeQuerySide and composeRequestEdge, the same in every form',
};
const compositionRoots = [
  'command-service/src/main.ts',
  'query-service/src/main.ts',
  'embedded/src/compose.ts',
  'test/support/route-app.ts',
];
const domainFiles = [
  'command-service/src/**/*-decider.ts',
  'command-service/src/otp/otp-policy.ts',
  'command-service/src/otp/verify-outcome.ts',
  'command-service/src/handling/decider.ts',
  'command-service/src/handling/refusal.ts',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  // Type-aware rules: a floating promise, a misused async callback or an unsafe `any` in a server is an error.
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  // Plain JavaScript (this file, the build script, the bench's bare express) is outside the TypeScript project.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        NodeJS: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      // Test helpers parse arbitrary JSON bodies; production code keeps types.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Ports return promises; an adapter that happens to be synchronous (better-sqlite3) keeps `async`
      // so a throw becomes a rejection like every other adapter's, instead of escaping synchronously.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Specs and their helpers read JSON answers and events as they come; the assertions are their types.
    files: ['**/*.spec.ts', 'test/**/*.ts', '**/testing/**/*.ts', '**/*.contract.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // The services reach each other only through contracts and platform; only the composition roots (embedded/) join them.
  { files: ['command-service/src/**/*.ts'], rules: refuse(querySide('the command side'), projectors('the command side')) },
  { files: ['query-service/src/**/*.ts'], rules: refuse(commandSide('the query side'), projectors('the query side')) },
  { files: ['projection-service/src/**/*.ts'], rules: refuse(commandSide('the projection side'), querySide('the projection side')) },
  {
    files: ['platform/src/**/*.ts'],
    rules: refuse(
      commandSide('platform'),
      querySide('platform'),
      projectors('platform'),
      workspace('embedded', 'platform never imports a composition root'),
    ),
  },
  { files: [compositionRoots[0]], rules: refuse(querySide('the command side'), projectors('the command side'), handWired) },
  { files: [compositionRoots[1]], rules: refuse(commandSide('the query side'), projectors('the query side'), handWired) },
  { files: compositionRoots.slice(2), rules: refuse(handWired) },
  // Domain code never reaches for adapters: they are chosen in the composition roots.
  { files: domainFiles, rules: refuse(adapters, querySide('the command side'), projectors('the command side')) },
  {
    files: ['contracts/src/**/*.ts'],
    rules: refuse(
      adapters,
      workspace('platform', 'contracts do no I/O: they import nothing of ours'),
      commandSide('contracts'),
      querySide('contracts'),
      projectors('contracts'),
    ),
  },
);
