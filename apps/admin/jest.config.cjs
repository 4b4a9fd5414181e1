// Angular ships ES modules only (fesm2022/*.mjs), which jest's CommonJS runtime cannot require:
// SWC compiles @angular/* to CommonJS as it compiles our TypeScript, so the dashboard's services
// (signals, inject()) run under jest without a browser. Components are covered in Chromium.
const preset = require('../../jest.preset.cjs');
const swc = preset.transform['^.+\\.ts$'];

module.exports = {
  ...preset,
  displayName: 'admin',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  moduleFileExtensions: ['ts', 'mjs', 'js', 'json'],
  transform: { ...preset.transform, '^.+\\.m?js$': swc },
  // Angular's and the preset's ESM-only packages (@noble: the code-room PAKE's group).
  transformIgnorePatterns: ['/node_modules/(?!(@angular|@noble)/)'],
  setupFiles: ['<rootDir>/test/jest-setup.ts'],
};
