// Relay tests start real relay processes and real servers on loopback, so they run one file at a
// time: two cores are shared by every test and by the processes under test.
module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'relay',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
  maxWorkers: 1,
  testTimeout: 30000,
};
