module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'widget',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
