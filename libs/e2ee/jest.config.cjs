module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'e2ee',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.spec.ts'],
};
