import path from 'node:path';

/**
 * Typed access to the plain-JS helpers in `scripts/n8n/` (provision.mjs, run-n8n.mjs): pinned n8n
 * 2.41.1 on Node 24 under `.sandbox/runtime`, or with PIOPIY_N8N_LINE=1 n8n 1.123.81 on Node 22 under
 * `.sandbox/runtime-n8n1`, and the functions that start and drive it.
 *
 * They are ES modules. Jest runs test code in a vm context with its own `require`, which cannot load
 * ES modules, and whose `import()` fails without --experimental-vm-modules. So they are loaded with
 * Node's own `require` (Node >= 20.19 loads ES modules with it), reached through
 * `process.getBuiltinModule`, which jest passes through untouched. Node's module cache is per
 * process, so every test file of a jest worker shares one copy, and the exit hooks run-n8n.mjs
 * installs (kill every n8n it started when the process ends) are installed once, on the real process.
 */

import type { CliResult, Log, N8nCliOptions, RestResult, RunningN8n, StartN8nOptions } from '../../../scripts/n8n/types';

export type { CliResult, Log, RestResult, RunningN8n };

export interface RunDataEntry {
	error?: { message: string; description?: string };
	executionStatus?: string;
	data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> };
}

/** What `n8n execute --rawOutput` prints, parsed (see run-n8n.mjs `parseExecuteOutput`). */
export interface ExecuteResult {
	status: string;
	finished?: boolean;
	data: {
		resultData: {
			runData: Record<string, RunDataEntry[]>;
			error?: { message: string; description?: string; node?: { name: string } };
			lastNodeExecuted?: string;
		};
	};
}

export interface RestOptions {
	url: string;
	cookie?: string;
	method?: string;
	path: string;
	body?: unknown;
	headers?: Record<string, string>;
}

interface ProvisionModule {
	PROJECT_ROOT: string;
	SANDBOX_DIR: string;
	RUNTIME_DIR: string;
	/** The release line in use (PIOPIY_N8N_LINE: 1, or 2 by default). */
	N8N_LINE: 1 | 2;
	VERSIONS: { node: string; n8n: string; playwrightCore: string };
	provisionN8n(options?: { log?: Log; force?: boolean }): Promise<{ cached: boolean; runtimeDir: string }>;
	isProvisioned(): boolean;
	importFromRuntime(name: string): Promise<unknown>;
	findChromium(): string | null;
	CHROMIUM_ARGS: readonly string[];
}

interface RunN8nModule {
	freePort(): Promise<number>;
	startN8n(options: StartN8nOptions): Promise<RunningN8n>;
	n8nCli(args: string[], options: N8nCliOptions): Promise<CliResult>;
	parseExecuteOutput(stdout: string): ExecuteResult;
	nodeOutput(result: ExecuteResult, nodeName: string, options?: { run?: number; output?: number }): Array<Record<string, unknown>>;
	rest<T = { data: unknown }>(options: RestOptions): Promise<RestResult<T>>;
	setupOwner(options: { url: string; email: string; password: string; firstName?: string; lastName?: string }): Promise<{
		user: { id: string; email: string };
		cookie: string | null;
	}>;
	login(options: { url: string; email: string; password: string }): Promise<{ user: unknown; cookie: string | null }>;
	testCredential(options: {
		url: string;
		cookie: string;
		id: string;
		name?: string;
		type: string;
		data: Record<string, unknown>;
	}): Promise<{ status: 'OK' | 'Error'; message: string }>;
}

type ProcessWithBuiltins = NodeJS.Process & { getBuiltinModule?: (id: string) => unknown };

/** Node's own require (not jest's), able to load the .mjs helpers. */
export const nodeRequire: NodeRequire = (() => {
	const getBuiltinModule = (process as ProcessWithBuiltins).getBuiltinModule;
	if (typeof getBuiltinModule !== 'function') {
		throw new Error(`the e2e tests need Node >= 20.19 (process.getBuiltinModule); this is ${process.version}`);
	}
	const { createRequire } = getBuiltinModule('node:module') as typeof import('node:module');
	return createRequire(__filename);
})();

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..', '..');

export const provision = nodeRequire(path.join(PROJECT_ROOT, 'scripts/n8n/provision.mjs')) as ProvisionModule;
export const n8n = nodeRequire(path.join(PROJECT_ROOT, 'scripts/n8n/run-n8n.mjs')) as RunN8nModule;
