// Shared jest settings: SWC compiles TypeScript (with decorator metadata, which Nest needs) and
// workspace packages resolve to their sources so tests never run against a stale build of a lib.
const path = require('node:path');

module.exports = {
  testEnvironment: 'node',
  transform: {
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
