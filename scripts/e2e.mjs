#!/usr/bin/env node
// `npm run test:e2e`: the end-to-end suite (jest.e2e.config.js) once on each pinned n8n release line,
// n8n 2.41.1 first, then n8n 1.123.81, then a check that both lines made the Piopiy stand-in receive
// the same requests. Arguments go to both jest runs (`npm run test:e2e -- headless`).
//
//   PIOPIY_N8N_LINE=1 npm run test:e2e    # one line only (1 or 2); no comparison
//
// A failed run does not stop the next one; the exit code is non-zero when any run failed or the
// requests differ. Plain Node (runs on the machine's Node 20).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JEST_BIN = createRequire(path.join(PROJECT_ROOT, 'package.json')).resolve('jest/bin/jest');
const LINES = process.env.PIOPIY_N8N_LINE ? [Number(process.env.PIOPIY_N8N_LINE)] : [2, 1];
if (LINES.some((line) => line !== 1 && line !== 2)) {
	console.error(`PIOPIY_N8N_LINE must be 1 or 2 (got ${process.env.PIOPIY_N8N_LINE})`);
	process.exit(2);
}

// Each run writes the requests of every test here (test/e2e/support/requestLog.ts), one folder per line.
const requestsDir = path.join(PROJECT_ROOT, '.sandbox', 'e2e', `requests-${process.pid}`);

let child;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
	process.on(signal, () => {
		child?.kill(signal);
		fs.rmSync(requestsDir, { recursive: true, force: true });
		process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
	});
}

function runJest(line, skipBuild) {
	return new Promise((resolve) => {
		const env = { ...process.env, PIOPIY_N8N_LINE: String(line), PIOPIY_E2E_REQUESTS_DIR: requestsDir };
		if (skipBuild) env.PIOPIY_E2E_SKIP_BUILD = '1';
		// A pattern may select only files of the other line (`-- queue`): no tests is not a failure.
		const args = [JEST_BIN, '-c', 'jest.e2e.config.js', '--passWithNoTests', ...process.argv.slice(2)];
		child = spawn(process.execPath, args, { cwd: PROJECT_ROOT, env, stdio: 'inherit' });
		child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
	});
}

/** Files of one line's request log: { '<test file>': [{ test, requests }] }. */
function readLog(line) {
	const dir = path.join(requestsDir, `n8n${line}`);
	if (!fs.existsSync(dir)) return {};
	return Object.fromEntries(
		fs.readdirSync(dir).map((file) => [file.replace(/\.json$/, ''), JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'))]),
	);
}

/**
 * Compares the requests each test made the stand-in receive on the two lines. Tests that ran on one
 * line only (a file marked `@n8n-lines 2`, or a failed start) are listed, not compared.
 */
function compareLines() {
	const [two, one] = [readLog(2), readLog(1)];
	const differences = [];
	const oneLineOnly = [];
	let tests = 0;
	let requests = 0;
	for (const file of new Set([...Object.keys(two), ...Object.keys(one)])) {
		const byTest = (entries = []) => new Map(entries.map((entry) => [entry.test, entry.requests]));
		const [a, b] = [byTest(two[file]), byTest(one[file])];
		for (const test of new Set([...a.keys(), ...b.keys()])) {
			if (!a.has(test) || !b.has(test)) {
				oneLineOnly.push(`${file}: ${test} (only on n8n ${a.has(test) ? 2 : 1}.x)`);
				continue;
			}
			tests++;
			requests += a.get(test).length;
			const [left, right] = [JSON.stringify(a.get(test), null, 1), JSON.stringify(b.get(test), null, 1)];
			if (left !== right) differences.push(`${file}: ${test}\n  n8n 2.x: ${left}\n  n8n 1.x: ${right}`);
		}
	}
	console.log(
		`\n[e2e] requests the Piopiy stand-in received, n8n 2.x vs 1.x: ${tests} tests compared, ${requests} requests, ${differences.length} tests differ`,
	);
	for (const entry of oneLineOnly) console.log(`[e2e]   not compared: ${entry}`);
	for (const difference of differences) console.log(`[e2e]   DIFFERENT: ${difference}`);
	// A recording file ran (some line recorded), yet no test matched across the lines: the recording is
	// broken, and a check of nothing must not pass.
	const matchedNothing = tests === 0 && oneLineOnly.length > 0;
	if (matchedNothing) console.log('[e2e]   FAILED: requests were recorded, but no test was recorded on both lines');
	return differences.length === 0 && !matchedNothing;
}

const results = [];
for (const [index, line] of LINES.entries()) {
	const t0 = Date.now();
	console.log(`\n[e2e] ===== n8n ${line}.x (PIOPIY_N8N_LINE=${line}) =====`);
	// The first run builds; the next one reuses that build (it still packs its own copy).
	const code = await runJest(line, index > 0 || process.env.PIOPIY_E2E_SKIP_BUILD === '1');
	results.push({ line, code, seconds: Math.round((Date.now() - t0) / 1000) });
}
let ok = results.every((result) => result.code === 0);
console.log('');
for (const { line, code, seconds } of results) {
	console.log(`[e2e] n8n ${line}.x: ${code === 0 ? 'passed' : `FAILED (jest exit ${code})`} in ${seconds}s`);
}
if (LINES.length === 2 && results.every((result) => result.code === 0)) ok = compareLines() && ok;
fs.rmSync(requestsDir, { recursive: true, force: true });
process.exit(ok ? 0 : 1);
