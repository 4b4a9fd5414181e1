// Shared jest settings: SWC compiles TypeScript (with decorator metadata, which Nest needs) and
// workspace packages resolve to their sources so tests never run against a stale build of a lib.
const path = require('node:path');

// ESM-only dependencies (no CommonJS build): Jest's CommonJS runtime cannot require them, so SWC
// turns them into CommonJS like our sources. Add a package scope here when a new one arrives.
const ESM_ONLY = ['@noble'];

module.exports = {
  testEnvironment: 'node',
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  transform: {
    [`/node_modules/(${ESM_ONLY.join('|')})/.+\\.js$`]: [
      '@swc/jest',
      { jsc: { target: 'es2023' }, module: { type: 'commonjs' } },
    ],
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2023',
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@nullroom/(protocol|e2ee|client)$': path.join(__dirname, 'libs/$1/src/index.ts'),
  },
};
