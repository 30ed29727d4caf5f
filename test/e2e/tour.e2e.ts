/**
 * @n8n-lines 2
 *
 * The sandbox tour, as a newcomer takes it (issue 30): the real `npm start` (scripts/start.ts: build,
 * the Piopiy sandbox, the credential and the examples imported, n8n 2.41.1) in a user folder and on
 * ports of its own, its terminal played by this test. Then what the banner says: log in with the
 * printed login, publish an example, paste its printed command (run with bash, as pasted), and answer
 * the sandbox's caller by typing in the terminal 10 s after the question, inside the default time; the
 * run is read from the workflow's executions, where the banner and the note say to watch it.
 * `npm start` runs on n8n 2.x only, so this file does too.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { sandboxCredentialData, SANDBOX_CREDENTIAL } from '../../scripts/sandbox/config';
import { CREDENTIAL_TEST_NOTE } from '../../scripts/sandbox/server';
import { firstOutput } from './support/executions';
import type { Browser } from './support/playwright';
import { n8n, PROJECT_ROOT, provision } from './support/runtime';
import { log, publishWorkflow, type StoredExecution } from './support/stack';

const EXAMPLE_IDS = {
	form: readId('form-to-ai-call.json'),
	appointment: readId('appointment-confirmation-by-phone.json'),
	crm: readId('crm-webhook-transfer-or-hangup.json'),
	trigger: readId('piopiy-trigger-caller-input.json'),
};

function readId(file: string): string {
	return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', file), 'utf8')) as { id: string }).id;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const TIMEOUT = 45_000; // the editor is slow on 2 cores

let browser: Browser | undefined;

let start: ChildProcessWithoutNullStreams | undefined;
let exited: Promise<number | null> | undefined;
/** Everything `npm start` printed: the terminal the newcomer reads. */
let terminal = '';
let userFolder = '';
let ports = { n8n: 0, sandbox: 0 };
let url = '';
let cookie = '';

/** Waits until the terminal shows `pattern` after position `from`; returns the match. */
async function terminalShows(pattern: RegExp, { from = 0, timeoutMs = 60_000 } = {}): Promise<RegExpExecArray> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const match = pattern.exec(terminal.slice(from));
		if (match) return match;
		if (Date.now() > deadline) throw new Error(`the terminal did not show ${pattern} in ${timeoutMs / 1000} s. It shows:\n${terminal.slice(-4000)}`);
		if (start?.exitCode !== null) throw new Error(`npm start exited (${start?.exitCode}). It printed:\n${terminal.slice(-4000)}`);
		await sleep(200);
	}
}

/** Runs a printed command as a person pastes it into a second terminal. */
function paste(command: string): Promise<{ code: number; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		execFile('bash', ['-c', command], { timeout: 60_000 }, (error, stdout, stderr) =>
			resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
		);
	});
}

async function rest<T>(urlPath: string, options: { method?: string; body?: unknown } = {}): Promise<T> {
	return (await n8n.rest<T>({ url, cookie, path: urlPath, ...options })).body;
}

/** What the editor's Publish button does. */
const publish = (workflowId: string, webhookPath: string) => publishWorkflow({ url, rest }, workflowId, webhookPath);

async function executions(workflowId: string): Promise<Array<{ id: string; status: string }>> {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	return (await rest<{ data: { results: Array<{ id: string; status: string }> } }>(`/rest/executions?filter=${filter}&limit=100`)).data.results;
}

/** The workflow's newest execution once it has `status`, as its Executions tab shows it. */
async function newestExecution(workflowId: string, status: string, timeoutMs = 60_000): Promise<StoredExecution> {
	const flatted = (await provision.importFromRuntime('flatted')) as { parse(text: string): unknown };
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const [newest] = await executions(workflowId);
		if (newest?.status === status) {
			const { data } = await rest<{ data: StoredExecution & { data: string } }>(`/rest/executions/${newest.id}`);
			return { ...data, data: flatted.parse(data.data) as StoredExecution['data'], raw: '' };
		}
		if (Date.now() > deadline) throw new Error(`the newest execution of ${workflowId} is "${newest?.status}", not "${status}", after ${timeoutMs / 1000} s`);
		await sleep(300);
	}
}

const commandsIn = (text: string) =>
	text
		.split('\n')
		.map((line) => line.trim())
		.filter((line) => line.startsWith('curl '));

beforeAll(async () => {
	userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'piopiy-e2e-tour-'));
	ports = { n8n: await n8n.freePort(), sandbox: await n8n.freePort() };
	const env: NodeJS.ProcessEnv = { ...process.env, N8N_PORT: String(ports.n8n), PIOPIY_SANDBOX_PORT: String(ports.sandbox), PIOPIY_SANDBOX_USER_FOLDER: path.join(userFolder, 'n8n-user') };
	// The caller's defaults, as a newcomer has them.
	delete env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC;
	delete env.PIOPIY_SANDBOX_ANSWER;
	log(`[e2e:tour] npm start on n8n port ${ports.n8n}, sandbox port ${ports.sandbox}, user folder ${userFolder}`);
	start = spawn(path.join(PROJECT_ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/start.ts'], { cwd: PROJECT_ROOT, env, stdio: 'pipe' });
	exited = new Promise((resolve) => start!.on('exit', (code) => resolve(code)));
	start.stdout.on('data', (chunk) => (terminal += chunk.toString()));
	start.stderr.on('data', (chunk) => (terminal += chunk.toString()));
	await terminalShows(/n8n with n8n-nodes-piopiy is ready/, { timeoutMs: 300_000 });
}, 330_000);

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	if (start && start.exitCode === null) {
		start.kill('SIGINT'); // Ctrl-C: npm start stops n8n and the sandbox
		const stopped = await Promise.race([exited!.then(() => true), sleep(40_000).then(() => false)]);
		if (!stopped) start.kill('SIGKILL');
	}
	if (process.env.PIOPIY_E2E_KEEP === '1') log(`[e2e:tour] kept ${userFolder}`);
	else fs.rmSync(userFolder, { recursive: true, force: true });
	log(`[e2e:tour] the end of what npm start printed:\n${terminal.slice(-2500)}`);
}, 60_000);

describe('the sandbox tour (npm start)', () => {
	test('the banner gives the login, the time to answer and how to change it, and each webhook example\'s command for this port', () => {
		const open = /Open {5}(http:\/\/127\.0\.0\.1:\d+)/.exec(terminal);
		expect(open?.[1]).toBe(`http://127.0.0.1:${ports.n8n}`);
		url = open![1];
		expect(terminal).toMatch(/type 2 \(cancel\) or 1 \(confirm\) and Enter\.\n {5}Without your answer the caller presses 1 in 30 s\. More time: PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120 npm start/);
		expect(terminal).toMatch(/Watch the run in the workflow's Executions tab/);
		const commands = commandsIn(terminal);
		// The appointment, the AI Agent's approval, the CRM's two, and the trigger's.
		expect(commands).toHaveLength(5);
		for (const command of commands) expect(command).toContain(`http://127.0.0.1:${ports.n8n}/webhook/`);
		expect(commands[0]).toMatch(new RegExp(`^curl -X POST http://127\\.0\\.0\\.1:${ports.n8n}/webhook/piopiy-appointment `));
	});

	test('logs in with the printed login', async () => {
		const login = /Log in {3}(\S+) {3}password (\S+)/.exec(terminal);
		expect(login).not.toBeNull();
		const session = await n8n.login({ url, email: login![1], password: login![2] });
		expect(session.cookie).toBeTruthy();
		cookie = session.cookie!;
	});

	test('1. the form example, in the editor: "Execute workflow", the form filled in, "Call placed", and the request in the terminal', async () => {
		const executablePath = provision.findChromium();
		if (!executablePath) throw new Error("no Chromium found: install Debian's package (`apt-get install -y chromium`) or set CHROMIUM_PATH");
		const { chromium } = (await provision.importFromRuntime('playwright-core')) as { chromium: { launch(options: object): Promise<Browser> } };
		browser = await chromium.launch({ executablePath, args: [...provision.CHROMIUM_ARGS], headless: true, timeout: 60_000 });
		const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
		const editor = await context.newPage();
		editor.setDefaultTimeout(TIMEOUT);
		try {
			const login = /Log in {3}(\S+) {3}password (\S+)/.exec(terminal)!;
			await editor.goto(`${url}/signin`, { timeout: 90_000 });
			await editor.locator('input[name="emailOrLdapLoginId"]').waitFor({ state: 'visible', timeout: 90_000 });
			await editor.locator('input[name="emailOrLdapLoginId"]').fill(login[1]);
			await editor.locator('input[name="password"]').fill(login[2]);
			await editor.keyboard.press('Enter');
			await editor.waitForURL(/\/home\//, { timeout: 60_000 });

			await editor.goto(`${url}/workflow/${EXAMPLE_IDS.form}`, { timeout: 90_000 });
			const from = terminal.length;
			const popup = context.waitForEvent('page', { timeout: 20_000 }).catch(() => undefined);
			await editor.locator('[data-test-id="execute-workflow-button"]').click();
			// n8n opens the test form in a new tab; where no tab opens, the newcomer opens its Test URL.
			let form = await popup;
			if (!form) {
				form = await context.newPage();
				await form.goto(`${url}/form-test/piopiy-ai-call`);
			}
			form.setDefaultTimeout(TIMEOUT);
			await form.getByText('Get a call from our AI assistant').first().waitFor();
			await form.getByLabel('Name').fill('Asha Rao');
			await form.getByLabel('Phone').fill('+91 98765 43210');
			await form.getByRole('button', { name: 'Call me' }).click();
			await form.getByText(/^Call placed$/).waitFor({ state: 'visible' });
			await terminalShows(/POST \/voice\/ai\/call → 200 call_queued · to 919876543210 · /, { from });
		} catch (error) {
			const file = path.join(PROJECT_ROOT, '.sandbox', 'e2e', 'failures', 'tour-form.png');
			fs.mkdirSync(path.dirname(file), { recursive: true });
			await editor.screenshot({ path: file }).catch(() => undefined);
			log(`[e2e:tour] failed: what the editor showed is in ${path.relative(PROJECT_ROOT, file)}`);
			throw error;
		}
	}, 240_000);

	test('opening the credential: the sandbox logs n8n\'s test as the credential test', async () => {
		const from = terminal.length;
		const result = await n8n.testCredential({ url, cookie, id: SANDBOX_CREDENTIAL.id, name: SANDBOX_CREDENTIAL.name, type: SANDBOX_CREDENTIAL.type, data: sandboxCredentialData(ports.sandbox) });
		expect(result.status).toBe('OK');
		await terminalShows(new RegExp(`POST /voice/call/hangup → 200 ${CREDENTIAL_TEST_NOTE.replace(/[()]/g, '\\$&')}`), { from });
	});

	test('2. the appointment: published, started with the printed command, answered in the terminal 10 s after the question, watched in Executions', async () => {
		await publish(EXAMPLE_IDS.appointment, '/webhook/piopiy-appointment');
		const [command] = commandsIn(terminal);
		const from = terminal.length;
		const pasted = await paste(command);
		expect(pasted).toMatchObject({ code: 0, stdout: expect.stringContaining('Workflow was started') });

		// The question comes below the request that asked it, with the time left and how to get more.
		const question = await terminalShows(/POST \/voice\/pcmo\/call → 200 call_queued[^\n]*\n\[piopiy-sandbox\] >>> The caller on call (\S+) hears "Hello Asha, this is a reminder of your appointment on Tuesday at 10 am\. Press 1 to confirm it, or 2 to cancel it\."\n\[piopiy-sandbox\] >>> Answer as the caller: type keys \(e\.g\. 2\) or words here, then Enter\. Without your answer the caller presses 1 in 30 s\.\n\[piopiy-sandbox\] {5}More time to answer: PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120 npm start\n/, { from });
		const callId = question[1];
		await newestExecution(EXAMPLE_IDS.appointment, 'waiting');

		// A newcomer switching from the browser to the terminal: 10 s later, 2 and Enter.
		await sleep(10_000);
		start!.stdin.write('2\n');
		await terminalShows(new RegExp(`you answered: the caller on call ${callId} pressed 2 → n8n answered 200`), { from });
		const run = await newestExecution(EXAMPLE_IDS.appointment, 'success');
		expect(firstOutput(run, 'Call and ask')).toMatchObject({ decision: 'declined', digits: '2', call_id: callId });
		expect(Object.keys(run.data.resultData.runData)).toContain('Cancelled: goodbye');
		expect(Object.keys(run.data.resultData.runData)).not.toContain('Confirmed: goodbye');
		// The goodbye went to the same call, and nothing was answered for the caller.
		await terminalShows(new RegExp(`POST /voice/pcmo/transfer → 200 [^\\n]*call ${callId}`), { from });
		expect(terminal.slice(from)).not.toMatch(/nobody typed an answer in time/);
	}, 120_000);

	test('the CRM example: both printed commands run the workflow, and the sandbox shows the transfer and the hang-up', async () => {
		await publish(EXAMPLE_IDS.crm, '/webhook/piopiy-crm-call');
		const commands = commandsIn(terminal).filter((command) => command.includes('/webhook/piopiy-crm-call'));
		expect(commands).toHaveLength(2);
		for (const [command, request] of [
			[commands[0], /POST \/voice\/pcmo\/transfer → 200 /],
			[commands[1], /POST \/voice\/call\/hangup → 200 call_hangup_requested · call a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d · cause NORMAL_CLEARING · reason Resolved by chat/],
		] as const) {
			const from = terminal.length;
			expect(await paste(command)).toMatchObject({ code: 0, stdout: expect.stringContaining('Workflow was started') });
			await terminalShows(request, { from });
			await newestExecution(EXAMPLE_IDS.crm, 'success');
		}
	}, 120_000);

	test("the trigger example: its printed command (with the sandbox credential's secret) starts it", async () => {
		const [command] = commandsIn(terminal).filter((line) => line.includes('/piopiy?secret='));
		const webhookPath = new URL(/'(http[^']+)'/.exec(command)![1]).pathname;
		await publish(EXAMPLE_IDS.trigger, webhookPath);
		expect(await paste(command)).toMatchObject({ code: 0 });
		const run = await newestExecution(EXAMPLE_IDS.trigger, 'success');
		expect(Object.keys(run.data.resultData.runData)).toContain('Other input');
	}, 120_000);
});
