import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PROJECT_ROOT, provision } from './support/runtime';

/**
 * Once per `npm run test:e2e`, before any test file:
 * 1. `npm run build` (skip with PIOPIY_E2E_SKIP_BUILD=1 when the caller just built it);
 * 2. `npm pack`, unpacked into .sandbox/e2e/run-<pid>/package: exactly what npm would publish. The
 *    tests load the package from there, either as a custom extension (its dist/, as `npm start` does)
 *    or installed as a community package (the whole folder under <user folder>/.n8n/nodes), so a
 *    rebuild running at the same time (`npm start`, `npm run dev`) cannot pull files from under a
 *    running n8n, and a file missing from the published package fails the tests;
 * 3. provision the pinned n8n 2.41.1 + Node 24 + playwright-core (~7 min the first time, then instant).
 *
 * PIOPIY_E2E_PACKAGE_DIR=<dir> tests an unpacked package folder instead (e.g. a published tarball's
 * `package/`), without building or packing.
 */

const E2E_DIR = path.join(PROJECT_ROOT, '.sandbox', 'e2e');
const say = (line: string) => process.stdout.write(`[e2e] ${line}\n`);

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

function run(command: string, args: string[], cwd: string): string {
	const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 300_000 });
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (${result.error?.message ?? `exit ${result.status}`}):\n${result.stdout}\n${result.stderr}`);
	}
	return result.stdout;
}

/** n8n user folders (see support/stack.ts) of runs killed more than 6 hours ago. */
function removeStaleUserFolders() {
	const cutoff = Date.now() - 6 * 3600_000;
	for (const entry of fs.readdirSync(os.tmpdir())) {
		if (!entry.startsWith('piopiy-e2e-')) continue;
		const full = path.join(os.tmpdir(), entry);
		try {
			if (fs.statSync(full).mtimeMs < cutoff) fs.rmSync(full, { recursive: true, force: true });
		} catch {
			// gone already, or not ours to remove
		}
	}
}

export default async function globalSetup(): Promise<void> {
	const t0 = Date.now();
	process.stdout.write('\n');
	removeStaleUserFolders();
	const given = process.env.PIOPIY_E2E_PACKAGE_DIR;
	if (given) {
		if (!fs.existsSync(path.join(given, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'))) {
			throw new Error(`PIOPIY_E2E_PACKAGE_DIR=${given} holds no built package (dist/nodes/Piopiy/Piopiy.node.js)`);
		}
		process.env.PIOPIY_E2E_PACKAGE = path.resolve(given);
		say(`testing the package in ${given}`);
		await provision.provisionN8n({ log: (line) => process.stdout.write(`${line}\n`) });
		return;
	}
	if (process.env.PIOPIY_E2E_SKIP_BUILD !== '1') {
		say('npm run build…');
		run('npm', ['run', 'build'], PROJECT_ROOT);
	}

	// Folders left by runs that were killed: a jest run's package (run-<pid>) and a `npm run test:e2e`
	// request log (requests-<pid>, which must outlive this jest run while its owner lives).
	fs.mkdirSync(E2E_DIR, { recursive: true });
	for (const entry of fs.readdirSync(E2E_DIR)) {
		const pid = Number(/^(?:run|requests)-(\d+)$/.exec(entry)?.[1]);
		if (pid && !alive(pid)) fs.rmSync(path.join(E2E_DIR, entry), { recursive: true, force: true });
	}
	const runDir = path.join(E2E_DIR, `run-${process.pid}`);
	fs.rmSync(runDir, { recursive: true, force: true });
	fs.mkdirSync(runDir, { recursive: true });
	const [packed] = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${runDir}`], PROJECT_ROOT)) as Array<{
		filename: string;
	}>;
	run('tar', ['-xzf', path.join(runDir, packed.filename), '-C', runDir], runDir);
	const packageDir = path.join(runDir, 'package');
	if (!fs.existsSync(path.join(packageDir, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'))) {
		throw new Error(`the packed package has no built node (${packed.filename}); run \`npm run build\``);
	}
	process.env.PIOPIY_E2E_PACKAGE = packageDir;

	const tProvision = Date.now();
	const { cached } = await provision.provisionN8n({ log: (line) => process.stdout.write(`${line}\n`) });
	say(
		`ready: n8n ${provision.VERSIONS.n8n} ${cached ? 'already provisioned' : `provisioned in ${((Date.now() - tProvision) / 1000).toFixed(0)}s`}, ${packed.filename} unpacked in ${path.relative(PROJECT_ROOT, packageDir)} (${((Date.now() - t0) / 1000).toFixed(0)}s)`,
	);
}
