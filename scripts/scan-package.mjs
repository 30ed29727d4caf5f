#!/usr/bin/env node
// n8n's community package scanner (@n8n/scan-community-package), run the way n8n runs it before it
// verifies a package, but on this checkout instead of a download from the registry:
//   1. the source leg: package.json and nodes/ + credentials/ sources, with the full rule set
//      (@n8n/eslint-plugin-community-nodes and eslint-plugin-n8n-nodes-base, as `n8n-node lint`);
//   2. the tarball leg: the compiled .js and package.json of what `npm pack` produces.
// The registry steps (download, provenance attestation) need a published version; they are the
// publish workflow's job (npm publish --provenance).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'piopiy-scan-'));
let failed = false;
try {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'))) {
		throw new Error('no dist/: run `npm run build` first');
	}
	const [{ filename }] = JSON.parse(
		execFileSync('npm', ['pack', '--json', '--ignore-scripts', `--pack-destination=${work}`], { cwd: ROOT, encoding: 'utf8' }),
	);
	const unpacked = path.join(work, 'package');
	fs.mkdirSync(unpacked);
	execFileSync('tar', ['-xzf', path.join(work, filename), '-C', unpacked, '--strip-components=1']);

	for (const [leg, dir, patterns] of [
		['source', ROOT, SOURCE_FILE_PATTERNS],
		[`tarball ${filename}`, unpacked, ['**/*.js', 'package.json']],
	]) {
		const result = await analyzePackage(dir, patterns);
		console.log(`${result.passed ? 'passed' : 'FAILED'}: n8n's package scanner, ${leg}${result.message ? ` (${result.message})` : ''}`);
		if (result.details) console.log(result.details);
		if (!result.passed) failed = true;
	}
} finally {
	fs.rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
