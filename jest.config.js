/** Unit tests run on the TypeScript sources; integration tests drive the built CLI and worker. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The cluster's own tests need `stoke cluster up` (minutes of Go builds the first time): `npm run test:cluster`.
  testPathIgnorePatterns: process.env.STOKE_TEST_CLUSTER === '1' ? ['/node_modules/'] : ['/node_modules/', '<rootDir>/test/cluster/'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  // STOKE_TEST_ORDER=name|reverse|shuffle:SEED runs the files in a chosen order (see README, Tests).
  testSequencer: '<rootDir>/test/sequencer.js',
  testTimeout: 180000,
};
