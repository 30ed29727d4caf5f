import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { PiopiyTestServer } from '../../support/piopiyServer';
import { n8n, PROJECT_ROOT, provision, type ExecuteResult, type RunningN8n } from './runtime';
import type { Workflow } from './workflows';

/**
 * One real n8n (2.41.1, or 1.123.81 with PIOPIY_N8N_LINE=1) with this package loaded, and a Piopiy
 * stand-in, for one e2e test file:
 *
 * 1. the Piopiy stand-in (test/support/piopiyServer.ts) starts on 127.0.0.1, on a free port, in the
 *    test process, so tests read the requests it received and can change how it answers;
 * 2. a fresh n8n user folder in the OS temp dir, with the package loaded one of two ways:
 *    - `customExtension`: N8N_CUSTOM_EXTENSIONS = the package's dist/, as `npm start` does. n8n types
 *      the nodes `CUSTOM.piopiy`, `CUSTOM.piopiyTrigger`;
 *    - `communityPackage`: the packed package unpacked into <user folder>/.n8n/nodes/node_modules/
 *      n8n-nodes-piopiy, where n8n's Community Nodes installs it. Types `n8n-nodes-piopiy.piopiy`...,
 *      as in examples/;
 * 3. `n8n import:credentials`: two `piopiyApi` credentials pointing at the stand-in (its token, and a
 *    wrong one) plus the test's own, then `n8n import:workflow` of the test's workflows;
 * 4. `n8n start`, and the owner account set up through REST.
 *
 * stop() ends n8n (its whole process group), the stand-in, and removes the user folder (kept when
 * PIOPIY_E2E_KEEP=1). If the start fails half way, what was started is stopped before the error is
 * thrown; if the test process dies, run-n8n.mjs kills every n8n it started.
 */

/** The n8n release line under test (1 or 2, from PIOPIY_N8N_LINE) and its pinned version. */
export const N8N_LINE = provision.N8N_LINE;
export const N8N_VERSION = provision.VERSIONS.n8n;

export const OWNER = { email: 'e2e-owner@example.com', password: 'E2e-Owner-Passw0rd', firstName: 'E2E', lastName: 'Owner' };

/** The credential every test workflow uses: the stand-in's token. */
export const GOOD_CREDENTIAL = { id: 'PiopiyE2EGood001', name: 'Piopiy (e2e stand-in)' };
/** Same stand-in, a token it rejects. */
export const WRONG_TOKEN_CREDENTIAL = { id: 'PiopiyE2EWrong01', name: 'Piopiy (e2e wrong token)' };

export interface CredentialImport {
	id: string;
	name: string;
	type: string;
	data: Record<string, unknown>;
}

export interface ExecuteOutcome {
	result: ExecuteResult;
	/** Everything `n8n execute` printed (log lines, the run as JSON, the error and its stack). */
	stdout: string;
	stderr: string;
	code: number | null;
	/** The id n8n stored the execution under. */
	executionId: string;
}

export interface StoredExecution {
	id: string;
	status: string;
	mode: string;
	workflowId: string;
	/** The run data, parsed from n8n's stored ("flatted") form. */
	data: ExecuteResult['data'];
	/** The REST answer as text, as an API client or the editor receives it. */
	raw: string;
}

export interface Stack {
	url: string;
	cookie: string;
	userFolder: string;
	install: InstallMode;
	/** `CUSTOM.` or `n8n-nodes-piopiy.`, as n8n types this package's nodes in this stack. */
	typePrefix: string;
	n8n: RunningN8n;
	piopiy: PiopiyTestServer;
	wrongToken: string;
	rest<T = unknown>(urlPath: string, options?: { method?: string; body?: unknown }): Promise<T>;
	/** "Test" of a stored credential (`POST /rest/credentials/test`) with the data the dialog would send. */
	testCredential(credential: { id: string; name: string }, data: Record<string, unknown>): Promise<{ status: 'OK' | 'Error'; message: string }>;
	importWorkflows(workflows: Workflow[]): Promise<void>;
	/**
	 * Publishes a workflow the way the editor does (n8n 2.x, and 1.123, which has the same
	 * `POST /rest/workflows/:id/activate` with the version to publish) and waits until its production
	 * webhook at `webhookPath` answers.
	 */
	publish(workflowId: string, webhookPath: string): Promise<void>;
	/** Starts an `n8n worker` on the same user folder, database and environment (queue mode), plus `extraEnv`. */
	startWorker(name: string, extraEnv?: Record<string, string>): Promise<RunningN8n>;
	/** `n8n execute --id`. */
	execute(workflowId: string): Promise<ExecuteOutcome>;
	executions(workflowId: string): Promise<Array<{ id: string; status: string; mode: string }>>;
	storedExecution(id: string): Promise<StoredExecution>;
	/** Files under the user folder (the SQLite database, its WAL, the event log...) that contain `text`. */
	filesContaining(text: string): string[];
	stop(): Promise<void>;
}

export const log = (line: string) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

export type InstallMode = 'customExtension' | 'communityPackage';

export const TYPE_PREFIX: Record<InstallMode, string> = {
	customExtension: 'CUSTOM.',
	communityPackage: 'n8n-nodes-piopiy.',
};

/** The package as npm would publish it, unpacked by the global setup (else the project itself). */
export function packageDir(): string {
	const dir = process.env.PIOPIY_E2E_PACKAGE || PROJECT_ROOT;
	if (!fs.existsSync(path.join(dir, 'dist', 'nodes', 'Piopiy', 'Piopiy.node.js'))) {
		throw new Error(`no built package in ${dir}: run \`npm run build\` (the e2e global setup does it)`);
	}
	return dir;
}

type FlattedModule = { parse(text: string): unknown };
let flatted: FlattedModule | undefined;
async function parseFlatted(text: string): Promise<unknown> {
	flatted ??= (await provision.importFromRuntime('flatted')) as FlattedModule;
	return flatted.parse(text);
}

function walk(dir: string): string[] {
	return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
		const full = path.join(dir, entry.name);
		return entry.isDirectory() ? walk(full) : entry.isFile() ? [full] : [];
	});
}

type Rest = <T>(urlPath: string, options?: { method?: string; body?: unknown }) => Promise<T>;

/**
 * Publishes a workflow the way the editor does (see Stack.publish) on the n8n at `url`, through a
 * logged-in `rest`, and waits until its production webhook at `webhookPath` answers.
 */
export async function publishWorkflow({ url, rest }: { url: string; rest: Rest }, workflowId: string, webhookPath: string): Promise<void> {
	const { data } = await rest<{ data: { versionId: string } }>(`/rest/workflows/${workflowId}`);
	const activated = await rest<{ data: { active: boolean; activeVersionId: string | null } }>(`/rest/workflows/${workflowId}/activate`, {
		method: 'POST',
		body: { versionId: data.versionId },
	});
	if (!activated.data.active || activated.data.activeVersionId !== data.versionId) {
		throw new Error(`publishing ${workflowId} did not activate version ${data.versionId}: ${JSON.stringify(activated)}`);
	}
	// The production webhook is registered shortly after that call answers: wait until a CORS
	// preflight for it succeeds (204; 404 while it is not registered), which starts nothing.
	const deadline = Date.now() + 30_000;
	for (;;) {
		const preflight = await fetch(new URL(webhookPath, url), {
			method: 'OPTIONS',
			headers: { Origin: 'http://127.0.0.1', 'Access-Control-Request-Method': 'POST' },
		});
		if (preflight.status === 204) return;
		if (Date.now() > deadline) throw new Error(`${webhookPath} still not registered 30 s after publishing (${preflight.status})`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

export async function startStack({
	name,
	install,
	workflows = [],
	credentials = [],
	wrongTokenCredential = true,
	env = {},
}: {
	name: string;
	install: InstallMode;
	workflows?: Workflow[];
	credentials?: CredentialImport[];
	/** Also import WRONG_TOKEN_CREDENTIAL (default true). */
	wrongTokenCredential?: boolean;
	/** Extra environment for every n8n process of the stack (e.g. queue mode). */
	env?: Record<string, string>;
}): Promise<Stack> {
	if (!provision.isProvisioned()) {
		throw new Error('n8n is not provisioned: the e2e global setup (test/e2e/globalSetup.ts) should have done it');
	}
	const packaged = packageDir();
	const extensions = install === 'customExtension' ? path.join(packaged, 'dist') : undefined;
	const cleanups: Array<() => Promise<void> | void> = [];
	const cleanUp = async () => {
		for (const step of cleanups.reverse()) {
			try {
				await step();
			} catch (error) {
				log(`[e2e:${name}] clean-up step failed: ${(error as Error).message}`);
			}
		}
		cleanups.length = 0;
	};

	try {
		const piopiy = await new PiopiyTestServer().start();
		cleanups.push(() => piopiy.stop());

		const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `piopiy-e2e-${name}-`));
		cleanups.push(() => {
			if (process.env.PIOPIY_E2E_KEEP === '1') log(`[e2e:${name}] kept ${userFolder}`);
			else fs.rmSync(userFolder, { recursive: true, force: true });
		});
		if (install === 'communityPackage') {
			// What `npm install n8n-nodes-piopiy` in n8n's nodes folder gives. `n8n-workflow` is a peer
			// dependency: n8n puts its own node_modules on NODE_PATH, so the package resolves n8n's copy.
			const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-piopiy');
			fs.mkdirSync(path.dirname(target), { recursive: true });
			fs.cpSync(packaged, target, { recursive: true });
		}
		// Import files live next to, not inside, the user folder: the credential file holds the tokens
		// in plain text, and the tests check that no file n8n keeps contains them.
		const importDir = fs.mkdtempSync(path.join(os.tmpdir(), `piopiy-e2e-${name}-import-`));
		cleanups.push(() => fs.rmSync(importDir, { recursive: true, force: true }));

		const cli = async (args: string[], timeoutMs = 180_000) => {
			const result = await n8n.n8nCli(args, { userFolder, customExtensions: extensions, env, timeoutMs });
			return result;
		};
		const importJson = async (kind: 'credentials' | 'workflow', items: unknown[]) => {
			const file = path.join(importDir, `${kind}-${randomUUID()}.json`);
			fs.writeFileSync(file, JSON.stringify(items, null, 2));
			const result = await cli([`import:${kind}`, `--input=${file}`]);
			fs.rmSync(file, { force: true });
			if (result.code !== 0 || !/Successfully imported/.test(result.stdout)) {
				throw new Error(`n8n import:${kind} failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-3000)}`);
			}
		};

		const wrongToken = `pio_wrong_${randomUUID().replace(/-/g, '')}`;
		const t0 = Date.now();
		const imported = [
			{ ...GOOD_CREDENTIAL, type: 'piopiyApi', data: piopiy.credentials() },
			...(wrongTokenCredential ? [{ ...WRONG_TOKEN_CREDENTIAL, type: 'piopiyApi', data: piopiy.credentials({ apiToken: wrongToken }) }] : []),
			...credentials,
		];
		await importJson('credentials', imported);
		if (workflows.length > 0) await importJson('workflow', workflows);
		log(`[e2e:${name}] package as ${install}; imported ${imported.length} credentials, ${workflows.length} workflows (${((Date.now() - t0) / 1000).toFixed(1)}s)`);

		const running = await n8n.startN8n({ userFolder, customExtensions: extensions, env, log: (line) => log(`[e2e:${name}] ${line}`) });
		cleanups.push(() => running.stop());
		const { url } = running;
		const owner = await n8n.setupOwner({ url, ...OWNER });
		if (!owner.cookie) throw new Error('owner setup gave no n8n-auth cookie');
		const cookie = owner.cookie;

		const rest = async <T>(urlPath: string, { method = 'GET', body }: { method?: string; body?: unknown } = {}) =>
			(await n8n.rest<T>({ url, cookie, method, path: urlPath, body })).body;

		const executions = async (workflowId: string) => {
			const filter = encodeURIComponent(JSON.stringify({ workflowId }));
			const page = await rest<{ data: { results: Array<{ id: string; status: string; mode: string }> } }>(
				`/rest/executions?filter=${filter}&limit=100`,
			);
			return page.data.results;
		};

		const stack: Stack = {
			url,
			cookie,
			userFolder,
			install,
			typePrefix: TYPE_PREFIX[install],
			n8n: running,
			piopiy,
			wrongToken,
			rest,
			testCredential: async ({ id, name: credentialName }, data) =>
				await n8n.testCredential({ url, cookie, id, name: credentialName, type: 'piopiyApi', data }),
			importWorkflows: (list) => importJson('workflow', list),
			publish: (workflowId, webhookPath) => publishWorkflow({ url, rest }, workflowId, webhookPath),
			async startWorker(workerName, extraEnv = {}) {
				const worker = await n8n.startN8n({
					userFolder,
					customExtensions: extensions,
					env: { ...env, ...extraEnv },
					command: 'worker',
					log: (line) => log(`[e2e:${name}:${workerName}] ${line}`),
				});
				cleanups.push(() => worker.stop());
				return worker;
			},
			executions,
			async execute(workflowId) {
				const before = new Set((await executions(workflowId)).map((execution) => execution.id));
				const { code, stdout, stderr } = await cli(['execute', `--id=${workflowId}`, '--rawOutput'], 120_000);
				let result: ExecuteResult;
				try {
					result = n8n.parseExecuteOutput(stdout);
				} catch (error) {
					throw new Error(`n8n execute --id=${workflowId} printed no run (exit ${code}):\n${(stdout + stderr).slice(-4000)}`);
				}
				const added = (await executions(workflowId)).filter((execution) => !before.has(execution.id));
				if (added.length !== 1) throw new Error(`expected one new stored execution of ${workflowId}, found ${added.length}`);
				return { result, stdout, stderr, code, executionId: added[0].id };
			},
			async storedExecution(id) {
				const response = await n8n.rest<{ data: Omit<StoredExecution, 'raw' | 'data'> & { data: string } }>({
					url,
					cookie,
					path: `/rest/executions/${id}`,
				});
				const record = response.body.data;
				return {
					...record,
					data: (await parseFlatted(record.data)) as ExecuteResult['data'],
					raw: JSON.stringify(response.body),
				};
			},
			filesContaining(text) {
				const needle = Buffer.from(text);
				return walk(userFolder).filter((file) => {
					try {
						return fs.readFileSync(file).includes(needle);
					} catch {
						return false;
					}
				});
			},
			stop: cleanUp,
		};
		return stack;
	} catch (error) {
		await cleanUp();
		throw error;
	}
}
