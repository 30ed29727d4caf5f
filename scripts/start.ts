/**
 * `npm start`: try the node in a real n8n, without a Piopiy account.
 *
 *  1. builds the package (`npm run build` → dist/);
 *  2. provisions a pinned n8n and the Node 24 it needs under .sandbox/runtime (first run only, ~7 min);
 *  3. starts the Piopiy sandbox (scripts/sandbox/server.ts) on 127.0.0.1:4010;
 *  4. imports the credential "Piopiy (sandbox)" and the example workflows into .sandbox/n8n-user
 *     (only what is new or changed since the last start; `npm start -- --reimport` imports all again,
 *     overwriting your edits of the examples);
 *  5. installs the package into n8n's community nodes folder (a link to this project, so a rebuild is
 *     picked up at the next start), starts n8n on 127.0.0.1:5678, creates the demo login on the first
 *     run, and prints the URL, the login and the tour: the ready-to-paste command of each example a
 *     webhook starts (from its sticky note, with this n8n's port). Loaded as a community package (not
 *     as a custom extension folder), n8n links the credential to the node, so "Test" in the credential
 *     dialog works.
 *
 * Ctrl-C stops n8n and the sandbox. Ports: N8N_PORT (5678), PIOPIY_SANDBOX_PORT (4010). n8n's user
 * folder: PIOPIY_SANDBOX_USER_FOLDER (.sandbox/n8n-user).
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { N8N, PROJECT_ROOT, SANDBOX, SANDBOX_CREDENTIAL } from './sandbox/config';
import { capitalize, sandboxCallerOptionsFromEnv, unansweredText } from './sandbox/caller';
import { readExamples, sandboxCredentialImport, tryItCommands, withN8nUrl, type Example } from './sandbox/examples';
import { loadN8nRuntime, type N8nRuntime, type RunningN8n } from './sandbox/n8nRuntime';
import { startSandbox, type Sandbox } from './sandbox/server';

const started = Date.now();
const INSTALLED_PACKAGE = path.join(N8N.userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-piopiy');
const N8N_DATA = path.join(N8N.userFolder, '.n8n');
const IMPORT_STAMP = path.join(N8N_DATA, 'piopiy-sandbox-imports.json');
const IMPORT_DIR = path.join(N8N.userFolder, 'import');
const N8N_LOG = path.join(path.dirname(N8N.userFolder), 'n8n.log');

const log = (line: string) => console.log(`[start] ${line}`);
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const relative = (file: string) => path.relative(process.cwd(), file) || '.';

let sandbox: Sandbox | undefined;
let n8n: RunningN8n | undefined;
let stopping: Promise<never> | undefined;

/** Stops n8n and the sandbox, then exits. Repeated calls (tsx relays the terminal's SIGINT too) wait for the first. */
function shutdown(code: number, why?: string): Promise<never> {
	stopping ??= (async () => {
		if (why) log(why);
		if (n8n) {
			log('stopping n8n…');
			await n8n.stop().catch(() => undefined);
		}
		if (sandbox) {
			log('stopping the Piopiy sandbox…');
			await sandbox.stop().catch(() => undefined);
		}
		log('stopped.');
		process.exit(code);
	})();
	return stopping;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const onSignal = (signal: NodeJS.Signals) => void shutdown(0, `${signal} received`);
for (const signal of SIGNALS) process.on(signal, onSignal);

/**
 * run-n8n.mjs adds its own signal handlers, which SIGKILL n8n at once: n8n then reports "Last session
 * crashed" and recovers at the next start. Once n8n runs, only ours stay, and they stop n8n with
 * SIGTERM (n8n's graceful shutdown, SIGKILL after 15 s). run-n8n's exit hook stays as the safety net.
 */
function keepOnlyOurSignalHandlers(): void {
	for (const signal of SIGNALS) {
		for (const listener of process.listeners(signal)) {
			if (listener !== onSignal) process.removeListener(signal, listener as (...args: unknown[]) => void);
		}
	}
}

/** The parent process id of `pid`, read from /proc (Linux); undefined elsewhere. */
function parentOf(pid: number): number | undefined {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		// "<pid> (<command>) <state> <ppid> …"; the command may contain spaces and brackets.
		const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
		return Number.isInteger(ppid) && ppid > 0 ? ppid : undefined;
	} catch {
		return undefined;
	}
}

function isNpm(pid: number): boolean {
	try {
		// npm sets its process title ("npm start"); before that it is "node …/npm-cli.js start".
		return /^npm[ \0]|\/npm-cli\.js\0|\/npm\0/.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
	} catch {
		return false;
	}
}

/**
 * `kill <npm's pid>` ends npm but reaches neither tsx nor this process: n8n and the sandbox would keep
 * running. So watch the processes that started this one (tsx, sh, npm) and stop when one is gone.
 * Ctrl-C in a terminal signals them all, and is handled by the signal handlers.
 */
function stopWithParents(): void {
	// Up to npm itself (tsx, sh, npm), not beyond: `nohup npm start &` must outlive the shell that started it.
	const ancestors: number[] = [];
	for (let pid = process.ppid; ancestors.length < 3 && pid > 1; pid = parentOf(pid) ?? 0) {
		ancestors.push(pid);
		if (isNpm(pid)) break;
	}
	if (!ancestors.some(isNpm)) ancestors.splice(1); // not started by npm: watch tsx only
	const timer = setInterval(() => {
		for (const pid of ancestors) {
			try {
				process.kill(pid, 0);
			} catch {
				clearInterval(timer);
				void shutdown(0, `the process that started npm start (pid ${pid}) is gone`);
				return;
			}
		}
	}, 1000);
	timer.unref();
}

function portIsFree(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/**
 * The first port from `from` on that is free now. (Not a fixed suggestion: 5679, say, is n8n's own
 * task-broker port, often taken by another n8n on 5678.)
 */
async function freePortFrom(from: number, avoid: number[]): Promise<number> {
	for (let port = from; port < from + 200; port++) {
		if (!avoid.includes(port) && (await portIsFree(port))) return port;
	}
	return from;
}

async function checkPorts(): Promise<void> {
	const busy: string[] = [];
	const avoid = [N8N.port, N8N.port + 1, SANDBOX.port];
	if (!(await portIsFree(N8N.port))) {
		const free = await freePortFrom(N8N.port + 2, avoid);
		busy.push(`n8n's port ${N8N.port} (${free} is free now: N8N_PORT=${free} npm start)`);
	}
	if (!(await portIsFree(SANDBOX.port))) {
		const free = await freePortFrom(SANDBOX.port + 1, avoid);
		busy.push(`the sandbox port ${SANDBOX.port} (${free} is free now: PIOPIY_SANDBOX_PORT=${free} npm start)`);
	}
	if (busy.length > 0) {
		throw new Error(`already in use: ${busy.join('; ')}. Is another \`npm start\` running?`);
	}
}

/** Runs a command; its output is shown only when it fails. */
function run(command: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code) =>
			code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${output.slice(-4000)}`)),
		);
	});
}

async function build(): Promise<void> {
	const t = Date.now();
	log('building the package (npm run build)…');
	await run('npm', ['run', 'build', '--silent']);
	log(`  built dist/ in ${seconds(t)}`);
}

async function provision(runtime: N8nRuntime): Promise<void> {
	const t = Date.now();
	log(`checking the n8n ${runtime.VERSIONS.n8n} runtime in .sandbox/runtime…`);
	// The first install is quiet for minutes at a time: say that it is still going.
	const heartbeat = runtime.isProvisioned()
		? undefined
		: setInterval(() => log(`  …still installing (${seconds(t)}); the full log is .sandbox/runtime/provision.log`), 30_000);
	try {
		await runtime.provisionN8n({ log: (line) => console.log(line) });
	} finally {
		if (heartbeat) clearInterval(heartbeat);
	}
}

interface ImportStamp {
	credential?: string;
	workflows: Record<string, string>;
}

const hash = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function readStamp(): ImportStamp {
	// A stamp without the database it describes (deleted to start afresh) means nothing is imported.
	if (!fs.existsSync(path.join(N8N_DATA, 'database.sqlite'))) return { workflows: {} };
	try {
		const stamp = JSON.parse(fs.readFileSync(IMPORT_STAMP, 'utf8')) as ImportStamp;
		return { credential: stamp.credential, workflows: stamp.workflows ?? {} };
	} catch {
		return { workflows: {} };
	}
}

/** Puts this project where `npm install n8n-nodes-piopiy` in n8n's nodes folder would put the package. */
function installPackage(): void {
	fs.mkdirSync(path.dirname(INSTALLED_PACKAGE), { recursive: true });
	const current = fs.existsSync(INSTALLED_PACKAGE) ? fs.realpathSync(INSTALLED_PACKAGE) : undefined;
	if (current === fs.realpathSync(PROJECT_ROOT)) return;
	fs.rmSync(INSTALLED_PACKAGE, { recursive: true, force: true });
	fs.symlinkSync(PROJECT_ROOT, INSTALLED_PACKAGE, 'dir');
	log(`installed the package into n8n's community nodes folder (${relative(INSTALLED_PACKAGE)})`);
}

async function cli(runtime: N8nRuntime, args: string[]): Promise<void> {
	const result = await runtime.n8nCli(args, { userFolder: N8N.userFolder });
	if (result.code !== 0) {
		throw new Error(`n8n ${args.join(' ')} failed (exit ${result.code}):\n${(result.stdout + result.stderr).slice(-4000)}`);
	}
}

/** Imports the sandbox credential and the examples that are new or changed since the last start. */
async function importContent(runtime: N8nRuntime, reimport: boolean): Promise<void> {
	const t = Date.now();
	fs.mkdirSync(N8N_DATA, { recursive: true });
	const stamp: ImportStamp = reimport ? { workflows: {} } : readStamp();

	const credentials = sandboxCredentialImport(SANDBOX.port);
	const credentialHash = hash(credentials);
	// The notes' commands name this n8n's port (an example is imported again when the port changes).
	const examples = readExamples().map(({ file, workflow }) => ({ file, workflow: withN8nUrl(workflow, n8nUrl()) }));
	for (const { file, workflow } of examples) {
		if (!workflow.id) throw new Error(`examples/${file} has no "id": give it a fixed one so imports stay idempotent`);
	}
	const changed = examples.filter(({ workflow }) => stamp.workflows[workflow.id] !== hash(workflow));

	fs.rmSync(IMPORT_DIR, { recursive: true, force: true });
	try {
		if (stamp.credential !== credentialHash) {
			log(`importing the credentials ${credentials.map((credential) => `"${credential.name}"`).join(' and ')} (n8n import:credentials)…`);
			const file = path.join(IMPORT_DIR, 'credentials.json');
			fs.mkdirSync(IMPORT_DIR, { recursive: true });
			fs.writeFileSync(file, JSON.stringify(credentials, null, 2));
			await cli(runtime, ['import:credentials', `--input=${file}`]);
			stamp.credential = credentialHash;
		} else {
			log(`credentials ${credentials.map((credential) => `"${credential.name}"`).join(' and ')} already imported`);
		}

		if (changed.length > 0) {
			log(`importing ${changed.length} example workflow(s) (n8n import:workflow)…`);
			const dir = path.join(IMPORT_DIR, 'workflows');
			fs.mkdirSync(dir, { recursive: true });
			for (const { file, workflow } of changed) {
				fs.writeFileSync(path.join(dir, file), JSON.stringify(workflow, null, 2));
				log(`  ${workflow.name}  (examples/${file})`);
			}
			await cli(runtime, ['import:workflow', '--separate', `--input=${dir}`]);
			for (const { workflow } of changed) stamp.workflows[workflow.id] = hash(workflow);
		} else {
			log(`${examples.length} example workflows already imported (npm start -- --reimport imports them again)`);
		}
	} finally {
		fs.writeFileSync(IMPORT_STAMP, JSON.stringify(stamp, null, 2));
		fs.rmSync(IMPORT_DIR, { recursive: true, force: true });
	}
	log(`  n8n content ready in ${seconds(t)}`);
}

/** Copies n8n's output to .sandbox/n8n.log as it comes. */
function mirrorLogs(running: RunningN8n): void {
	fs.writeFileSync(N8N_LOG, '');
	let written = 0;
	const flush = () => {
		const all = running.logs();
		if (all.length < written) written = 0; // the in-memory buffer was trimmed
		if (all.length > written) {
			fs.appendFileSync(N8N_LOG, all.slice(written));
			written = all.length;
		}
	};
	const timer = setInterval(flush, 1000);
	timer.unref();
	void running.exited.then(() => {
		clearInterval(timer);
		flush();
	});
}

async function ensureOwner(runtime: N8nRuntime, url: string): Promise<void> {
	const login = { url, email: N8N.email, password: N8N.password };
	try {
		await runtime.login(login);
		log(`login ${N8N.email} works`);
		return;
	} catch {
		// no owner yet (first start), or a changed password
	}
	try {
		await runtime.setupOwner({ ...login, firstName: N8N.firstName, lastName: N8N.lastName });
		log(`created the n8n owner ${N8N.email}`);
	} catch (error) {
		log(
			`could not log in as ${N8N.email}, and an owner already exists: log in with the password you set (${(error as Error).message.split('\n')[0]})`,
		);
	}
}

const n8nUrl = () => `http://127.0.0.1:${N8N.port}`;

/** Each example that starts from a webhook, with the commands its note gives, for the n8n at `url`. */
function webhookTours(examples: Example[], url: string): Array<{ name: string; commands: string[] }> {
	return examples
		.map(({ workflow }) => ({ name: workflow.name, commands: tryItCommands(workflow, url) }))
		.filter(({ commands }) => commands.length > 0);
}

function banner(url: string, examples: Example[]): void {
	const line = '─'.repeat(78);
	const caller = sandboxCallerOptionsFromEnv();
	const unanswered = capitalize(unansweredText(caller.defaultAnswer ?? '1', Math.round((caller.delayMs ?? 0) / 1000)));
	const tours = webhookTours(examples, url);
	const appointment = tours.find(({ name }) => name.startsWith('Piopiy: appointment confirmation'));
	const others = tours.filter((tour) => tour !== appointment);
	console.log(
		[
			'',
			line,
			`  n8n with n8n-nodes-piopiy is ready (in ${seconds(started)})`,
			'',
			`    Open     ${url}`,
			`    Log in   ${N8N.email}   password ${N8N.password}`,
			'',
			'  1. A form starts an AI call: open "Piopiy: Form → AI call", click "Execute workflow"',
			'     and fill in the form (phone with its country code, e.g. +91 98765 43210). The form',
			'     says "Call placed"; this terminal shows the request the sandbox received. No phone rings.',
			'',
			...(appointment
				? [
						'  2. A call that asks and waits: open "Piopiy: appointment confirmation by phone",',
						'     click "Publish", then paste this in a second terminal:',
						'',
						...appointment.commands.map((command) => `     ${command}`),
						'',
						'     This terminal then shows what the caller hears and asks you for the key:',
						'     type 2 (cancel) or 1 (confirm) and Enter.',
						`     ${unanswered}. More time: PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120 npm start`,
						"     Watch the run in the workflow's Executions tab: Waiting, then Succeeded.",
						'',
					]
				: []),
			...(others.length > 0 ? ['  The other examples started by a webhook: publish the workflow, then paste its command.'] : []),
			...others.flatMap(({ name, commands }) => [`    ${name}`, ...commands.map((command) => `      ${command}`)]),
			...(others.length > 0 ? [''] : []),
			`  Piopiy sandbox   ${sandbox?.url}  (credential "${SANDBOX_CREDENTIAL.name}")`,
			`  Examples         ${examples.length} workflows from examples/`,
			`  n8n's log        ${relative(N8N_LOG)}`,
			'  Stop             Ctrl-C',
			line,
			'',
		].join('\n'),
	);
}

async function main(): Promise<void> {
	const reimport = process.argv.includes('--reimport');
	stopWithParents();
	await checkPorts();
	await build();
	const runtime = await loadN8nRuntime();
	await provision(runtime);

	log(`starting the Piopiy sandbox on 127.0.0.1:${SANDBOX.port}…`);
	sandbox = await startSandbox({ port: SANDBOX.port, log: (line) => console.log(line), input: process.stdin });
	log(`  sandbox listening on ${sandbox.url}`);

	installPackage();
	await importContent(runtime, reimport);

	n8n = await runtime.startN8n({
		userFolder: N8N.userFolder,
		port: N8N.port,
		log: (line) => console.log(line),
	});
	keepOnlyOurSignalHandlers();
	mirrorLogs(n8n);
	void n8n.exited.then((code) => {
		if (stopping) return;
		console.error(n8n?.logs().slice(-3000));
		void shutdown(1, `n8n exited unexpectedly (${code}); its log: ${relative(N8N_LOG)}`);
	});
	await ensureOwner(runtime, n8n.url);
	banner(n8n.url, readExamples());
}

main().catch((error) => {
	console.error(`[start] failed: ${(error as Error).message}`);
	void shutdown(1);
});
