import fs from 'node:fs';
import path from 'node:path';

/** Removes this run's packed package (see globalSetup.ts). */
export default async function globalTeardown(): Promise<void> {
	const packageDir = process.env.PIOPIY_E2E_PACKAGE;
	if (!packageDir || process.env.PIOPIY_E2E_PACKAGE_DIR || process.env.PIOPIY_E2E_KEEP === '1') return;
	const runDir = path.dirname(packageDir);
	if (/[/\\]\.sandbox[/\\]e2e[/\\]run-\d+$/.test(runDir)) fs.rmSync(runDir, { recursive: true, force: true });
}
