// Type-checked typescript-eslint plus Nx module boundaries, which are enforced, not decorative:
// protocol depends on nothing; e2ee on protocol; client on both; browser-side libraries can't
// reach Node, Nest, ws or ioredis.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const nodeOnly = ['@nestjs/*', 'ws', 'ioredis', 'express', 'prom-client', 'node:*'];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '.tools/**',
      '.nx/**',
      'k6/**',
      '**/*.cjs',
      '**/*.mjs',
      'tmp/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:e2ee', onlyDependOnLibsWithTags: ['scope:protocol'] },
            {
              sourceTag: 'scope:client',
              onlyDependOnLibsWithTags: ['scope:protocol', 'scope:e2ee'],
            },
            {
              sourceTag: 'scope:relay',
              onlyDependOnLibsWithTags: ['scope:protocol'],
            },
            {
              // The terminal client: a Node app on top of the client SDK.
              sourceTag: 'scope:cli',
              onlyDependOnLibsWithTags: ['scope:protocol', 'scope:e2ee', 'scope:client'],
            },
            {
              // The Angular admin dashboard and the embeddable widget: browser apps on the SDK.
              sourceTag: 'scope:admin',
              onlyDependOnLibsWithTags: ['scope:protocol', 'scope:e2ee', 'scope:client'],
            },
            {
              sourceTag: 'scope:widget',
              onlyDependOnLibsWithTags: ['scope:protocol', 'scope:e2ee', 'scope:client'],
            },
            {
              sourceTag: 'platform:universal',
              bannedExternalImports: nodeOnly,
            },
            {
              sourceTag: 'platform:browser',
              bannedExternalImports: nodeOnly,
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': ['error', { patterns: ['../../*/libs/*', '../../../libs/*'] }],
    },
  },
  {
    // Node built-ins have no package name for bannedExternalImports to match; ban them by path.
    files: ['libs/protocol/src/**/*.ts', 'libs/e2ee/src/**/*.ts', 'libs/client/src/**/*.ts'],
    ignores: ['**/*.spec.ts', 'libs/client/src/node/**', 'libs/client/src/cli/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'browser-side library: no Node built-ins' },
            { group: ['@nestjs/*', 'ws', 'ioredis', 'express'], message: 'browser-side library' },
          ],
          paths: ['fs', 'path', 'crypto', 'http', 'https', 'net', 'os', 'child_process', 'buffer'],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  prettier,
);
