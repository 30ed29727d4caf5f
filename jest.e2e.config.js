/**
 * `npm run test:e2e`: the package in a real n8n 2.41.1 (see test/e2e/README.md).
 * The global setup builds the package and provisions n8n (~7 min the first time, cached in .sandbox/);
 * each test file then starts its own n8n and Piopiy stand-in, one file at a time.
 * @type {import('jest').Config}
 */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { ...require('./tsconfig.json').compilerOptions, isolatedModules: true } }] },
	moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
	globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
	globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
	// Two cores here: one n8n at a time, and generous per-test limits (an `n8n execute` takes ~7 s).
	maxWorkers: 1,
	testTimeout: 120_000,
	// Every process a test starts is stopped in afterAll (and killed on exit by scripts/n8n/run-n8n.mjs);
	// forceExit makes sure a stray handle can never keep CI waiting.
	forceExit: true,
	verbose: true,
};
