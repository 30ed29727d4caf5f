/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	// Type checking is `npm run typecheck`'s job (run by `npm test`); here ts-jest only transpiles.
	transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { ...require('./tsconfig.json').compilerOptions, isolatedModules: true } }] },
	// Lets TypeScript sources import siblings with a '.js' suffix, as compiled code would.
	moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
	setupFiles: ['<rootDir>/test/support/captureLogs.ts'],
	testTimeout: 30_000,
};
