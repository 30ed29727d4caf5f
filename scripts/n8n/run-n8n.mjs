// Start / drive the provisioned n8n (2.41.1, or 1.123.81 with PIOPIY_N8N_LINE=1; see provision.mjs). Plain Node, runs on Node 20.
//
// REST facts for n8n 2.41.1 (read from the installed code, checked against a running instance):
//
// * Owner setup (no auth, only while no owner exists):
//     POST /rest/owner/setup  {"email","firstName","lastName","password"}
//     (OwnerSetupRequestDto; password 8..64 chars with >=1 digit and >=1 uppercase letter)
//     -> 200 {"data": {id, email, firstName, lastName, role: "global:owner", ...}} + Set-Cookie n8n-auth
//     A second call answers 400 ("Instance owner already setup").
// * Login:
//     POST /rest/login  {"emailOrLdapLoginId": "<email>", "password": "...", "mfaCode"?, "mfaRecoveryCode"?}
//     (LoginRequestDto; the old `email` field is gone) -> 200 {"data": user} + Set-Cookie: n8n-auth=<jwt>
//     Send that cookie on later calls. If the login request carried a `browser-id` header, every
//     later request must carry the same `browser-id` header (the JWT binds a hash of it);
//     without it at login, no check is made.
// * Create a credential:
//     POST /rest/credentials  {"name","type","data":{...}, "projectId"?, "isGlobal"?}   (CreateCredentialDto)
//     -> 200 {"data": {id, name, type, ...}}   (data is stored encrypted; not echoed back)
// * Test a credential (runs the credential type's `test` request / testedBy method):
//     POST /rest/credentials/test  {"credentials": {"id","name","type","data":{...}}}  (TestCredentialRequestDto)
//     -> 200 {"data": {"status": "OK" | "Error", "message": "..."}}
//     `id` must be an existing credential the user can read (data sent is merged over the stored
//     data; redacted values are kept from the stored one). id "" (unsaved) is accepted only for
//     users with credential:manageInstance (the owner).
// * Node types: GET /types/nodes.json (needs the n8n-auth cookie; 401 otherwise) lists every
//   description; POST /rest/node-types {"nodeInfos":[{"name","version"}]} returns full descriptions.
// * Readiness: GET /healthz -> {"status":"ok"} as soon as HTTP listens; GET /healthz/readiness is 200
//   only when DB is migrated and the server is fully up. startN8n waits for readiness and for the
//   "Editor is now accessible" log line (printed after workflows are activated).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { N8N_BIN, NODE_BIN, n8nEnv } from './provision.mjs';

/** Ask the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

function childEnv(vars) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_/i.test(k) || /^N8N_/.test(k) || k === 'NODE_OPTIONS' || k === 'NODE_PATH') continue;
		env[k] = v;
	}
	return { ...env, ...vars };
}

function assertProvisioned() {
	if (!fs.existsSync(NODE_BIN) || !fs.existsSync(N8N_BIN)) {
		throw new Error('n8n runtime missing; run `node scripts/n8n/provision.mjs` (or provisionN8n()) first');
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Process groups of n8n processes started here; killed if this process exits or is interrupted
// before stop() was called, so no orphaned n8n keeps its ports / the SQLite file busy.
const liveGroups = new Set();
function killLiveGroups() {
	for (const pgid of liveGroups) {
		try {
			process.kill(-pgid, 'SIGKILL');
		} catch {}
	}
	liveGroups.clear();
}
let exitHooksInstalled = false;
function installExitHooks() {
	if (exitHooksInstalled) return;
	exitHooksInstalled = true;
	process.on('exit', killLiveGroups);
	for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(sig, function onSig() {
			killLiveGroups();
			// keep the default behaviour (terminate) unless someone else handles the signal
			if (process.listenerCount(sig) === 1) {
				process.removeListener(sig, onSig);
				process.kill(process.pid, sig);
			}
		});
	}
}

/**
 * Start `n8n start` (or, with command 'worker', a queue-mode `n8n worker`) and wait until it is fully ready.
 * @param {{ userFolder: string, port?: number, customExtensions?: string|string[], log?: (l: string) => void,
 *           env?: Record<string,string>, timeoutMs?: number, command?: "start"|"worker" }} opts
 *   port: default = a free port. env: extra/overriding env vars.
 * @returns {Promise<{ url: string, port: number, pid: number, stop: () => Promise<void>, logs: () => string, exited: Promise<number|null> }>}
 */
export async function startN8n({
	userFolder,
	port,
	customExtensions,
	log = () => {},
	env: extraEnv = {},
	timeoutMs = 180_000,
	command = 'start',
} = {}) {
	assertProvisioned();
	if (!userFolder) throw new Error('startN8n: userFolder is required');
	fs.mkdirSync(userFolder, { recursive: true });
	port = port ?? (await freePort());
	const brokerPort = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const env = childEnv({ ...n8nEnv({ userFolder, port, customExtensions, brokerPort }), ...extraEnv });
	const t0 = Date.now();
	log(`[sandbox] starting n8n ${command} on ${url} (user folder ${userFolder})…`);
	const child = spawn(NODE_BIN, [N8N_BIN, command], {
		cwd: userFolder,
		env,
		detached: true, // own process group, so stop() also ends the task-runner children
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	installExitHooks();
	if (child.pid) liveGroups.add(child.pid);
	let output = '';
	const MAX = 8 * 1024 * 1024;
	const onData = (d) => {
		output += d.toString();
		if (output.length > MAX) output = output.slice(-MAX);
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exitCode;
	const exited = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exitCode = code ?? signal;
			// the task runner may outlive the main process; clear the whole group
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			liveGroups.delete(child.pid);
			resolve(code);
		});
		child.on('error', (e) => {
			output += `\n[spawn error] ${e.message}\n`;
			exitCode = -1;
			resolve(-1);
		});
	});

	let stopped = false;
	const stop = async () => {
		if (stopped) return exited;
		stopped = true;
		if (exitCode !== undefined) return;
		const kill = (sig) => {
			try {
				process.kill(-child.pid, sig);
			} catch {}
		};
		kill('SIGTERM');
		const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
		if (!done) {
			kill('SIGKILL');
			await exited;
		}
		// task runners may outlive the main process for a moment; end the group for good
		kill('SIGKILL');
	};

	const deadline = Date.now() + timeoutMs;
	try {
		for (;;) {
			if (exitCode !== undefined) {
				throw new Error(`n8n exited (${exitCode}) before becoming ready`);
			}
			if (Date.now() > deadline) throw new Error(`n8n not ready after ${timeoutMs / 1000}s`);
			// A worker serves no editor: it is ready when it says so.
			if (command === 'worker' && output.includes('n8n worker is now ready')) break;
			let ready = false;
			try {
				const res = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
				ready = res.ok && (await res.json()).status === 'ok';
			} catch {}
			if (ready && output.includes('Editor is now accessible')) break;
			await sleep(300);
		}
	} catch (e) {
		await stop();
		e.message += `\n--- n8n output (last 6000 chars) ---\n${output.slice(-6000)}`;
		throw e;
	}
	log(`[sandbox] n8n ${command} ready on ${url} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
	return { url, port, pid: child.pid, stop, logs: () => output, exited };
}

/**
 * Run an n8n CLI command to completion, e.g.
 *   n8nCli(['import:workflow', '--input=wf.json'], { userFolder })
 *   n8nCli(['execute', '--id=wf1', '--rawOutput'], { userFolder, customExtensions })
 * @param {string[]} args
 * @param {{ userFolder: string, customExtensions?: string|string[], env?: Record<string,string>, timeoutMs?: number }} opts
 * @returns {Promise<{ code: number|null, stdout: string, stderr: string }>}
 */
export async function n8nCli(args, { userFolder, customExtensions, env: extraEnv = {}, timeoutMs = 300_000 } = {}) {
	assertProvisioned();
	if (!userFolder) throw new Error('n8nCli: userFolder is required');
	fs.mkdirSync(userFolder, { recursive: true });
	// own broker port, so it can run next to an `n8n start` (or another CLI run)
	const brokerPort = await freePort();
	const port = await freePort();
	const env = childEnv({ ...n8nEnv({ userFolder, port, customExtensions, brokerPort }), ...extraEnv });
	return new Promise((resolve, reject) => {
		const child = spawn(NODE_BIN, [N8N_BIN, ...args], {
			cwd: userFolder,
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		installExitHooks();
		if (child.pid) liveGroups.add(child.pid);
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			stderr += `\n[n8nCli] killed after ${timeoutMs / 1000}s\n`;
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			reject(e);
		});
		child.on('close', (code) => {
			clearTimeout(timer);
			liveGroups.delete(child.pid);
			// the CLI can leave a task-runner child behind; clear the group
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {}
			resolve({ code, stdout, stderr });
		});
	});
}

/**
 * Parse the stdout of `n8n execute --id=... --rawOutput` (everything goes to stdout; stderr stays empty).
 * Before the JSON, n8n prints log lines: on a fresh user folder the DB migrations, then always
 *   n8n Task Broker ready on 127.0.0.1, port <n>
 *   Failed to start Python task runner in internal mode. because its virtual environment is missing…
 *   [license SDK] Skipping renewal on init: renewOnInit is disabled in config
 *   [license SDK] Skipping renewal on init: license cert is not initialized
 *   Registered runner "JS Task Runner" (<id>)
 * then the run as `JSON.stringify(run, null, 2)`: a line `{` … a line `}`. The object is
 *   { data: { version, startData, resultData: { runData: { <node name>: [ { startTime, executionTime,
 *     executionStatus, source, hints, data: { main: [[ { json, pairedItem } ]] } } ] },
 *     lastNodeExecuted, error? }, executionData, resumeToken }, mode: 'cli', startedAt, stoppedAt,
 *     storedAt: 'db', status: 'success' | 'error', finished }
 * On a failed run the exit code is 1, the JSON is preceded by "Execution was NOT successful. See log
 * message for details." / "Execution error:" / "====…" and followed by the error message and stack;
 * `status` is 'error' and `data.resultData.error` holds the error. An unknown --id prints
 * `The workflow with the id "<id>" does not exist.` and exits 1 with no JSON.
 * Returns the parsed object.
 */
export function parseExecuteOutput(stdout) {
	const lines = stdout.split('\n');
	const start = lines.findIndex((l) => l === '{');
	if (start === -1) throw new Error(`no JSON object in n8n execute output:\n${stdout.slice(-3000)}`);
	const end = lines.lastIndexOf('}');
	return JSON.parse(lines.slice(start, end + 1).join('\n'));
}

/** Output items (json only) of a node in a parsed execute result; run index 0, output 0 by default. */
export function nodeOutput(result, nodeName, { run = 0, output = 0 } = {}) {
	const runs = result?.data?.resultData?.runData?.[nodeName];
	if (!runs) throw new Error(`node "${nodeName}" did not run`);
	const r = runs[run];
	if (r.error) throw Object.assign(new Error(`node "${nodeName}" failed: ${r.error.message}`), { n8nError: r.error });
	return (r.data?.main?.[output] ?? []).map((i) => i.json);
}

function cookieFrom(res) {
	const all = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [res.headers.get('set-cookie') || ''];
	const c = all.map((s) => s.split(';')[0]).find((s) => s.startsWith('n8n-auth='));
	return c || null;
}

/**
 * Small REST helper. Returns the parsed body (n8n wraps results in {data}); throws on HTTP errors.
 * @param {{ url: string, cookie?: string, method?: string, path: string, body?: unknown, headers?: Record<string,string> }} o
 */
export async function rest({ url, cookie, method = 'GET', path: p, body, headers = {} }) {
	const res = await fetch(new URL(p, url), {
		method,
		headers: {
			...(body !== undefined ? { 'content-type': 'application/json' } : {}),
			...(cookie ? { cookie } : {}),
			...headers,
		},
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = text;
	}
	if (!res.ok) {
		throw Object.assign(new Error(`${method} ${p} -> ${res.status}: ${text.slice(0, 500)}`), {
			status: res.status,
			body: json,
		});
	}
	return { status: res.status, body: json, cookie: cookieFrom(res) };
}

/**
 * Create the instance owner so a person (or a test) can log in.
 * @returns {Promise<{ user: object, cookie: string|null }>}  cookie = "n8n-auth=<jwt>"
 */
export async function setupOwner({ url, email, password, firstName = 'Sandbox', lastName = 'Owner' }) {
	const r = await rest({ url, method: 'POST', path: '/rest/owner/setup', body: { email, firstName, lastName, password } });
	return { user: r.body.data, cookie: r.cookie };
}

/** Log in; returns { user, cookie } (cookie = "n8n-auth=<jwt>" to pass to rest()). */
export async function login({ url, email, password }) {
	const r = await rest({ url, method: 'POST', path: '/rest/login', body: { emailOrLdapLoginId: email, password } });
	return { user: r.body.data, cookie: r.cookie };
}

/** Create a credential via REST; returns its record ({ id, name, type, ... }). */
export async function createCredential({ url, cookie, name, type, data }) {
	const r = await rest({ url, cookie, method: 'POST', path: '/rest/credentials', body: { name, type, data } });
	return r.body.data;
}

/** Test a credential via REST; returns { status: 'OK'|'Error', message }. */
export async function testCredential({ url, cookie, id, name = '', type, data }) {
	const r = await rest({
		url,
		cookie,
		method: 'POST',
		path: '/rest/credentials/test',
		body: { credentials: { id, name, type, data } },
	});
	return r.body.data;
}

