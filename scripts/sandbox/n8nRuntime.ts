import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { PROJECT_ROOT } from './config';

/**
 * Typed access to the plain-JS helpers in `scripts/n8n/` (provision.mjs, run-n8n.mjs), which have no
 * type declarations. They are ES modules, loaded with a real dynamic import at run time.
 */

import type { CliResult, Log, N8nCliOptions, RestResult, RunningN8n, StartN8nOptions } from '../n8n/types';

export type { CliResult, Log, RestResult, RunningN8n };

export interface N8nRuntime {
	provisionN8n(options?: { log?: Log; force?: boolean }): Promise<{ node24: string; n8nBin: string; runtimeDir: string; cached: boolean }>;
	isProvisioned(): boolean;
	VERSIONS: { node: string; n8n: string };
	startN8n(options: StartN8nOptions): Promise<RunningN8n>;
	n8nCli(args: string[], options: N8nCliOptions): Promise<CliResult>;
	parseExecuteOutput(stdout: string): ExecuteResult;
	rest<T = { data: unknown }>(options: {
		url: string;
		cookie?: string;
		method?: string;
		path: string;
		body?: unknown;
		headers?: Record<string, string>;
	}): Promise<RestResult<T>>;
	setupOwner(options: { url: string; email: string; password: string; firstName?: string; lastName?: string }): Promise<{
		user: unknown;
		cookie: string | null;
	}>;
	login(options: { url: string; email: string; password: string }): Promise<{ user: unknown; cookie: string | null }>;
}

/** What `n8n execute --rawOutput` prints, parsed (see run-n8n.mjs). */
export interface ExecuteResult {
	status: 'success' | 'error' | string;
	data: {
		resultData: {
			runData: Record<string, Array<{ error?: { message: string }; data?: { main?: Array<Array<{ json: Record<string, unknown> }> | null> } }>>;
			error?: { message: string };
			lastNodeExecuted?: string;
		};
	};
}

// `new Function` keeps this a real `import()` (TypeScript's CommonJS output would turn it into require()).
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, unknown>>;

let loaded: Promise<N8nRuntime> | undefined;

export function loadN8nRuntime(): Promise<N8nRuntime> {
	loaded ??= (async () => {
		const dir = path.join(PROJECT_ROOT, 'scripts', 'n8n');
		const provision = await importEsm(pathToFileURL(path.join(dir, 'provision.mjs')).href);
		const run = await importEsm(pathToFileURL(path.join(dir, 'run-n8n.mjs')).href);
		return { ...provision, ...run } as unknown as N8nRuntime;
	})();
	return loaded;
}
