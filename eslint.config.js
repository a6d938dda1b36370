import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', URL: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Test helpers parse arbitrary JSON bodies; production code keeps types.
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Domain code never reaches for adapters: they are chosen in the composition roots.
    files: ['command-service/src/**/*-decider.ts', 'command-service/src/otp/otp-policy.ts', 'command-service/src/otp/verify-outcome.ts', 'command-service/src/customers/authorize-api-key.ts', 'command-service/src/handling/decider.ts', 'contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@otp/platform/*/sqlite', '@otp/platform/*/esdb', '@otp/platform/*/mongo', '@otp/platform/*/kafka', 'better-sqlite3', 'mongodb', 'kafkajs', '@eventstore/db-client'], message: 'domain code depends on ports, not adapters' }] }],
    },
  },
);
