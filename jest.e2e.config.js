const fs = require('node:fs');
const path = require('node:path');

/**
 * The package in a real n8n (see test/e2e/README.md), on one pinned release line per run: n8n 2.41.1,
 * or n8n 1.123.81 with PIOPIY_N8N_LINE=1. `npm run test:e2e` (scripts/e2e.mjs) runs it once per line.
 * The global setup builds the package and provisions n8n (~7 min the first time, cached in .sandbox/);
 * each test file then starts its own n8n and Piopiy stand-in, one file at a time.
 *
 * A test file that runs on some lines only says so near its top, e.g. `@n8n-lines 2`; it is left out
 * of the other lines' runs (the AI Agent's human review, and the `npm start` tour: 2.x only).
 */
const E2E_DIR = path.join(__dirname, 'test', 'e2e');
const line = process.env.PIOPIY_N8N_LINE === '1' ? 1 : 2;
const otherLinesOnly = fs
	.readdirSync(E2E_DIR)
	.filter((file) => file.endsWith('.e2e.ts'))
	.filter((file) => {
		const declared = /@n8n-lines\s+([\d ,]+)/.exec(fs.readFileSync(path.join(E2E_DIR, file), 'utf8').slice(0, 4000));
		return declared !== null && !declared[1].split(/[\s,]+/).filter(Boolean).map(Number).includes(line);
	});

/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.ts'],
	testPathIgnorePatterns: ['/node_modules/', ...otherLinesOnly.map((file) => `/test/e2e/${file.replace(/\./g, '\\.')}$`)],
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
