import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { CREDENTIAL_PROBE_CALL_ID, CREDENTIAL_TEST_MESSAGES, PiopiyApi } from '../../credentials/PiopiyApi.credentials';
import { readConfig } from '../../scripts/live-check/config';
import { credentialVerdict } from '../../scripts/live-check/credentialVerdict';
import type { Finding } from '../../scripts/live-check/unknowns';
import { runLiveCheck } from '../../scripts/liveCheck';
import { ScriptedCaller, type CallerScript } from '../support/caller';
import { testCredential } from '../support/credentialTest';
import { BALANCE_PATH, CALL_PLACING_PATHS, PiopiyTestServer, type Reply } from '../support/piopiyServer';

/**
 * `npm run live-check` against the stand-in playing the "real" Piopiy: the probes it sends (none can
 * ring a phone), the table, the one call of `--call`, the refusals that send nothing, the redacted file.
 */

const SCRIPT = path.resolve(__dirname, '../../scripts/liveCheck.ts');
const server = new PiopiyTestServer();
const caller = new ScriptedCaller(undefined, 50);
let outDir = '';

beforeAll(async () => {
	await server.start();
	outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'live-check-'));
});
afterAll(async () => {
	await server.stop();
	fs.rmSync(outDir, { recursive: true, force: true });
});
beforeEach(() => {
	server.reset();
	caller.reset();
});

/** The environment a user sets, pointing at the stand-in; nothing of the machine's own PIOPIY_ variables. */
function environment(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
	const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('PIOPIY_')));
	return {
		...inherited,
		PIOPIY_API_TOKEN: server.token,
		PIOPIY_APP_ID: String(server.appId),
		PIOPIY_APP_SECRET: server.appSecret,
		PIOPIY_BASE_URL: server.url,
		PIOPIY_ACCOUNT_API_URL: server.url,
		PIOPIY_CALLER_ID: '+91 80 4567 8900',
		PIOPIY_VOICE_ID: 'voice-1',
		...overrides,
	};
}

/** Runs the script as a user does (a child process); resolves with its exit code and output. */
function spawnLiveCheck(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (chunk) => (stdout += chunk));
		child.stderr.on('data', (chunk) => (stderr += chunk));
		child.on('close', (code) => resolve({ code, stdout, stderr }));
	});
}

/** Runs the check in this process (faster), with the answers a test gives to the confirmation. */
async function liveCheck(args: string[], { env = environment(), confirm }: { env?: NodeJS.ProcessEnv; confirm?: () => Promise<boolean> } = {}) {
	const lines: string[] = [];
	const out = path.join(outDir, `${Math.random().toString(36).slice(2)}.json`);
	const read = readConfig(['--out', out, ...args], env);
	if (!read.ok) throw new Error(read.message);
	const code = await runLiveCheck(read.config, { out: (line) => lines.push(line), confirm });
	const saved = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
	const report = saved ? (JSON.parse(saved) as { findings: Finding[]; exchanges: unknown[] }) : undefined;
	return { code, output: lines.join('\n'), saved, report, row: (id: string) => report?.findings.find((finding) => finding.id === id) };
}

const lastLine = (stdout: string) => stdout.trimEnd().split('\n').pop();
const tableRows = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('| ') && line.includes('(`'));
/** The table's row of `id`, as printed. */
const printedRow = (stdout: string, id: string) => tableRows(stdout).find((line) => line.includes(`(\`${id}\`)`)) ?? '';

const callPlacing = () => server.requests.filter((request) => CALL_PLACING_PATHS.has(request.path));

async function freePort(): Promise<number> {
	const probe = createServer();
	await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
	const { port } = probe.address() as { port: number };
	await new Promise((resolve) => probe.close(resolve));
	return port;
}

const ROW_IDS = [
	'success-body',
	'credential-probe',
	'hangup-missing-call',
	'validation-error',
	'placed-after-failure',
	'rate-limits',
	'connect-strategy',
	'cause-case',
	'balance',
	'webhook-payloads',
	'caller-input-fields',
	'answer-call-id',
	'variables-echo',
];

describe('without --call (the script as a user runs it)', () => {
	test('prints the table, writes the redacted file, and sends nothing that can ring a phone', async () => {
		const out = path.join(outDir, 'spawned.json');
		const { code, stdout, stderr } = await spawnLiveCheck(['--out', out], environment());
		expect(stderr).toBe('');
		expect(code).toBe(0);
		expect(stdout).toContain('| Unknown (docs/piopiy-api.md#what-is-unknown) | Observed | The node agrees |');
		for (const id of ROW_IDS) expect(stdout).toContain(`(\`${id}\`)`);
		expect(stdout).toContain('| What Piopiy answers a Hang Up of a call that does not exist (`hangup-missing-call`) | HTTP 200 "call_hangup_requested" { success, message } | ✔ the node reports it as done |');
		expect(stdout).toContain('**Token accepted · voice API reached · account API reached**');
		expect(stdout).toContain(`Saved to attach to an issue: ${out}`);
		// The last line says where to report, with the address package.json names as `bugs`.
		const manifest = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { bugs: { url: string } };
		expect(manifest.bugs.url).toBe('https://github.com/telecmi/n8n-nodes-piopiy/issues');
		expect(lastLine(stdout)).toBe(`Report at ${manifest.bugs.url}: paste the headline and the table above, and attach ${out}.`);
		// No row has an empty third cell.
		for (const line of tableRows(stdout)) expect(line).not.toMatch(/\|\s*[✔✘?–]?\s*\|$/);
		expect(callPlacing()).toEqual([]);
		// The credential Test, the balance, the node's Hang Up, the lower-case cause, the invalid body.
		expect(server.requests.map((request) => [request.path, request.status])).toEqual([
			['/voice/call/hangup', 200],
			['/v2/balance', 200],
			['/voice/call/hangup', 200],
			['/voice/call/hangup', 200],
			['/voice/call/hangup', 400],
		]);
		expect(server.requests[0].body).toEqual(new PiopiyApi().test.request.body);
		expect(server.requests[2].body).toEqual({ call_id: CREDENTIAL_PROBE_CALL_ID, cause: 'NORMAL_CLEARING', reason: 'n8n-nodes-piopiy live check' });
		const saved = fs.readFileSync(out, 'utf8');
		expect(saved).not.toContain(server.token);
		expect(saved).not.toContain(server.appSecret);
		expect(stdout).not.toContain(server.token);
		const report = JSON.parse(saved) as { exchanges: Array<{ request: { headers: Record<string, string>; body: Record<string, unknown> } }> };
		expect(report.exchanges).toHaveLength(5);
		expect(report.exchanges[0].request.headers.Authorization).toBe('[redacted]');
		// The App ID keeps its last digits (the user recognises it), the secret nothing.
		expect(report.exchanges[1].request.body).toEqual({ appid: `***${String(server.appId).slice(-3)}`, secret: '[redacted]' });
	});

	test('with no token it says which environment variables to set, and exits non-zero', async () => {
		const { code, stdout, stderr } = await spawnLiveCheck([], environment({ PIOPIY_API_TOKEN: undefined }));
		expect(code).toBe(3);
		expect(stdout).toBe('');
		for (const name of ['PIOPIY_API_TOKEN', 'PIOPIY_APP_ID', 'PIOPIY_APP_SECRET', 'PIOPIY_BASE_URL', 'PIOPIY_ACCOUNT_API_URL']) {
			expect(stderr).toContain(name);
		}
		expect(stderr).toContain('https://rest.piopiy.com/v3');
		expect(stderr).toContain('https://rest.telecmi.com');
		expect(server.requests).toEqual([]);
	});
});

/** The rows whose answer comes from the voice API: none may say ✔ when the voice API settled nothing. */
const VOICE_ROWS = ['success-body', 'credential-probe', 'hangup-missing-call', 'validation-error', 'cause-case', 'rate-limits'];
const CALL_ROWS = ['webhook-payloads', 'caller-input-fields', 'answer-call-id', 'variables-echo'];

/** Reads the file a spawned run saved. */
function savedReport(file: string) {
	return JSON.parse(fs.readFileSync(file, 'utf8')) as { exitCode: number; headline: { token: { state: string } }; findings: Finding[] };
}

function expectNotChecked(stdout: string, file: string, ids: string[], why: RegExp) {
	const { findings } = savedReport(file);
	for (const id of ids) {
		expect(printedRow(stdout, id)).not.toContain('✔');
		expect(findings.find((finding) => finding.id === id)).toMatchObject({ agrees: '–', notChecked: 'blocked', observed: expect.stringMatching(why) });
	}
}

describe('a verdict that can be trusted (the script as a user runs it, against mistakes a user makes)', () => {
	test('a wrong token: the headline says refused, no row that needs the voice API says ✔, exit code 4', async () => {
		const out = path.join(outDir, 'wrong-token.json');
		const { code, stdout, stderr } = await spawnLiveCheck(['--out', out], environment({ PIOPIY_API_TOKEN: 'pio_test_not_the_token' }));
		expect(stderr).toBe('');
		expect(stdout).toContain('**Token refused · voice API not confirmed · account API reached**');
		expect(stdout).toContain('- Token: refused: HTTP 401 "Unauthorized: invalid or revoked token" to all 4 requests: check PIOPIY_API_TOKEN');
		expectNotChecked(stdout, out, VOICE_ROWS, /^not checked: the token was refused/);
		// The account API takes the App ID and App Secret, not the token: its row is checked.
		expect(printedRow(stdout, 'balance')).toContain('✔ Get Balance outputs balance 1523.75');
		expect(stdout).toContain('Not everything was checked (1 row checked, 6 not checked because of this run, 6 not asked for');
		expect(lastLine(stdout)).toMatch(/^Report at https:\/\/github.com\/telecmi\/n8n-nodes-piopiy\/issues: /);
		expect(callPlacing()).toEqual([]);
		expect(code).toBe(4);
		expect(savedReport(out)).toMatchObject({ exitCode: 4, headline: { token: { state: 'refused' } } });
	});

	test('a Base URL without /v3: the headline says the voice API was not found, nothing is ✔ for it, exit code 4', async () => {
		// Piopiy serves its voice API under /v3: here the stand-in does too, and anything else is a 404.
		server.behaviour = (request) =>
			request.path.startsWith('/v3/') ? server.standardReply({ ...request, path: request.path.slice('/v3'.length) }) : request.path === BALANCE_PATH ? undefined : { status: 404, body: { error: 'not found' } };
		const out = path.join(outDir, 'no-v3.json');
		const { code, stdout } = await spawnLiveCheck(['--out', out], environment());
		expect(stdout).toContain('**Token unknown · voice API not found · account API reached**');
		expect(stdout).toContain(`- Voice API: not found: HTTP 404 "not found" to all 4 requests at ${server.url}: is the Base URL right? Piopiy's is https://rest.piopiy.com/v3 (with /v3)`);
		expectNotChecked(stdout, out, VOICE_ROWS, /^not checked: the voice API was not found/);
		expect(server.requests.filter((request) => request.path !== BALANCE_PATH).map((request) => request.status)).toEqual([404, 404, 404, 404]);
		expect(code).toBe(4);

		// The same stand-in with /v3 in the Base URL: everything is reached, and the run exits 0.
		server.requests.length = 0;
		const fixed = await spawnLiveCheck(['--out', path.join(outDir, 'with-v3.json')], environment({ PIOPIY_BASE_URL: `${server.url}/v3` }));
		expect(fixed.stdout).toContain('**Token accepted · voice API reached · account API reached**');
		expect(fixed.code).toBe(0);
	});

	test('--call with a --public-url that does not reach the listener: nothing at all is sent, the reason is the last line, exit code 2', async () => {
		const [listenPort, elsewhere] = [await freePort(), await freePort()];
		const out = path.join(outDir, 'unreachable.json');
		const { code, stdout } = await spawnLiveCheck(
			['--out', out, '--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${elsewhere}`, '--listen-port', String(listenPort), '--yes'],
			environment(),
		);
		expect(lastLine(stdout)).toMatch(
			new RegExp(`^Nothing was sent to Piopiy: http://127\\.0\\.0\\.1:${elsewhere} does not reach the listener on port ${listenPort} \\(.+\\)\\. Start the tunnel`),
		);
		expect(server.requests).toEqual([]);
		expect(fs.existsSync(out)).toBe(false);
		expect(code).toBe(2);
	});

	test('--call with a refused token: no call request goes out, the call rows say why, the reason is the last line, exit code 4', async () => {
		const port = await freePort();
		const out = path.join(outDir, 'call-refused-token.json');
		const { code, stdout } = await spawnLiveCheck(
			['--out', out, '--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--yes'],
			environment({ PIOPIY_API_TOKEN: 'pio_test_not_the_token' }),
		);
		expect(stdout).toContain('**Token refused · voice API not confirmed · account API reached**');
		expect(callPlacing()).toEqual([]);
		expect(stdout).not.toContain('Placing ONE call');
		expectNotChecked(stdout, out, VOICE_ROWS, /^not checked: the token was refused/);
		expectNotChecked(stdout, out, CALL_ROWS, /^not checked: no call placed: the token was not accepted \(token refused: HTTP 401/);
		expect(stdout).not.toContain('no answer was posted');
		expect(lastLine(stdout)).toMatch(/^No call was placed, nothing rang: the token was not accepted \(token refused: HTTP 401 /);
		expect(code).toBe(4);
	});
});

describe('the arguments', () => {
	test.each<[string[], Record<string, string | undefined>, string]>([
		[['--call', '+91 98765 CALLME', '--public-url', 'https://x.example', '--yes'], {}, 'Nothing was sent. --call "+91 98765 CALLME" is not valid: expected a phone number with its country code'],
		[['--call', '0123'], {}, '--call "0123" is not valid'],
		[['--call', '+91 98765 43210'], {}, '--public-url (missing) is not valid: expected an http:// or https:// URL'],
		[['--call', '+91 98765 43210', '--public-url', 'https://x.example'], { PIOPIY_CALLER_ID: '' }, '--caller-id (or PIOPIY_CALLER_ID) (missing) is not valid'],
		[['--call', '+91 98765 43210', '--public-url', 'https://x.example'], { PIOPIY_VOICE_ID: '' }, 'PIOPIY_VOICE_ID (missing) is not valid'],
		[['--call', '+91 98765 43210', '--public-url', 'https://x.example'], { PIOPIY_APP_ID: '' }, 'PIOPIY_APP_ID (missing) is not valid'],
		[['--public-url', 'https://x.example'], {}, '--public-url goes only with --call <number>'],
		[['--wait-sec', '5', '--yes'], {}, '--wait-sec, --yes go only with --call <number>'],
		[['--call', '+91 98765 43210', '--public-url', 'https://x.example', '--wait-sec', '4'], {}, '--wait-sec "4" is not valid: expected a whole number from 5 to 900'],
		[['--ring-everyone'], {}, 'unknown argument "--ring-everyone"'],
		[[], { PIOPIY_BASE_URL: 'https://rest.piopiy.com/v3?token=abc' }, 'PIOPIY_BASE_URL "https://rest.piopiy.com/v3?***" is not valid'],
	])('%j is refused before anything is sent', (args, env, message) => {
		const read = readConfig(args, environment(env));
		expect(read.ok).toBe(false);
		expect(!read.ok && read.message).toContain(message);
		expect(!read.ok && read.exitCode).toBe(2);
	});

	test('--call with a good number: the one call is built by the node before anything is sent', () => {
		const read = readConfig(['--call', '+91 98765-43210', '--public-url', 'https://tunnel.example/', '--yes'], environment());
		if (!read.ok) throw new Error(read.message);
		const { request, answerPath, nonce } = read.config.call!;
		expect(request.path).toBe('/voice/pcmo/call');
		expect(request.effect).toBe('placesCall');
		expect(request.body).toMatchObject({
			caller_id: '918045678900',
			to_number: '919876543210',
			app_id: String(server.appId),
			options: { ring_timeout_sec: 30, max_duration_sec: 60 },
			variables: { live_check: nonce },
			pipeline: [{ action: 'play_get_input', input: ['dtmf', 'speech'], on_result: { type: 'url', url: `https://tunnel.example${answerPath}` } }],
		});
	});
});

describe('--call (in this process)', () => {
	const answerWith = (script: CallerScript) => {
		caller.reset(script);
		server.behaviour = caller.behaviour;
	};

	test('without --yes and with no terminal to confirm on: nothing is sent at all', async () => {
		const port = await freePort();
		const { code, output, saved } = await liveCheck(['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port)]);
		expect(code).toBe(2);
		expect(output).toContain('Nothing was sent: --call rings a phone, and there is no terminal to confirm on. Add --yes to confirm.');
		expect(server.requests).toEqual([]);
		expect(saved).toBe('');
	});

	test('not confirmed at the terminal: nothing is sent at all', async () => {
		const port = await freePort();
		const asked: string[] = [];
		const { code } = await liveCheck(['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port)], {
			confirm: async () => (asked.push('asked'), false),
		});
		expect(asked).toEqual(['asked']);
		expect(code).toBe(2);
		expect(server.requests).toEqual([]);
	});

	test('one call; the caller presses 1; the post is printed and the node reads it', async () => {
		answerWith((question) => ({ call_id: question.callId, digits: '1' }));
		const port = await freePort();
		const { code, output, row } = await liveCheck(
			['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--wait-sec', '5'],
			{ confirm: async () => true },
		);
		expect(code).toBe(0);
		expect(callPlacing()).toHaveLength(1);
		await caller.settled();
		expect(caller.posts).toHaveLength(1);
		expect(output).toContain("Piopiy's post with the caller's answer:");
		expect(output).toContain('"digits": "1"');
		expect(row('caller-input-fields')).toMatchObject({ agrees: '✔', node: 'the node reads keys "1"' });
		expect(row('answer-call-id')).toMatchObject({ agrees: '✔' });
		expect(row('variables-echo')).toMatchObject({ agrees: '?', observed: expect.stringContaining('not in the 1 post(s) received') });
		expect(row('success-body')?.observed).toContain('questionCall { success, message, call_id, request_id }');
	});

	test('a post whose keys the node does not read is a ✘ (exit code 1); echoed variables are seen', async () => {
		answerWith((question) => ({ CallUUID: question.callId, Pressed_Digits: '7', extra: { live_check: String((question.action as { on_result: { url: string } }).on_result.url.split('/').pop()) } }));
		const port = await freePort();
		const { code, row } = await liveCheck(
			['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--wait-sec', '5', '--yes'],
		);
		expect(code).toBe(1);
		expect(row('caller-input-fields')).toMatchObject({ agrees: '✘', node: 'the node reads no keys and no speech, yet Pressed_Digits looks like keys' });
		expect(row('answer-call-id')).toMatchObject({ agrees: '?' });
		expect(row('variables-echo')).toMatchObject({ agrees: '✔', observed: 'yes, in 1 of 1 post(s)' });
		expect(callPlacing()).toHaveLength(1);
	});

	test('the saved file and the output hold no full phone number, caller ID, App ID, token or secret, even where Piopiy echoes them', async () => {
		const appId = String(server.appId);
		// Piopiy echoes the request in its reply, and its post names both numbers in other forms.
		server.behaviour = (request, stand) => {
			const reply = caller.behaviour(request, stand);
			return reply && 'status' in reply && CALL_PLACING_PATHS.has(request.path) ? { ...reply, body: { ...(reply.body as object), echo: request.rawBody } } : reply;
		};
		caller.reset((question) => ({ call_id: question.callId, digits: '1', from: '+91 98765-43210', to: 918045678900, national: '098765 43210', app_id: Number(appId), token: server.token }));
		const port = await freePort();
		const { code, output, saved, row } = await liveCheck(
			['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--wait-sec', '5', '--yes'],
		);
		expect(code).toBe(0);
		expect(row('caller-input-fields')).toMatchObject({ agrees: '✔' });
		expect(saved).toContain('"to_number": "***3210"');
		expect(saved).toContain('"caller_id": "***8900"');
		expect(saved).toContain('"appid": "***333"');
		for (const text of [saved, output]) {
			for (const full of ['919876543210', '9876543210', '98765-43210', '98765 43210', '098765', '918045678900', '8045678900', appId, server.token, server.appSecret]) {
				expect(text).not.toContain(full);
			}
		}
		expect(output).toContain('Placing ONE call to ***3210');
	});

	test.each<[string, object, string]>([
		['says nothing was entered', { status: 'no_input' }, 'the node reads "nothing entered" (no keys, no speech)'],
		['names its call and nothing else', {}, 'the node reads "nothing entered" (no keys, no speech)'],
		['holds what the node cannot read', { result_code: 'x', note: 'hello' }, 'the node reads no keys and no speech in it: Call and Ask would report "other input"'],
		['holds speech', { speech: 'yes please' }, 'the node reads speech "yes please"'],
		['says the call ended, with a key beside it', { status: 'hung_up', dtmf: '1' }, 'the node reads "callEnded"'],
		['says the call failed', { status: 'failed' }, 'the node reads "failed"'],
	])('a post that %s gets the verdict of the node\'s own reading', async (_name, post, verdict) => {
		answerWith((question) => ({ call_id: question.callId, ...post }));
		const port = await freePort();
		const { row } = await liveCheck(['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--wait-sec', '5', '--yes']);
		expect(row('caller-input-fields')?.node).toContain(verdict);
	});

	test('an accepted call whose answer never comes: the answer rows are not checked, exit code 4', async () => {
		answerWith(() => undefined);
		const port = await freePort();
		const { code, row } = await liveCheck(['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--wait-sec', '5', '--yes']);
		expect(row('caller-input-fields')).toMatchObject({ agrees: '–', notChecked: 'blocked', observed: 'not checked: no answer was posted within 5 s' });
		expect(callPlacing()).toHaveLength(1);
		expect(code).toBe(4);
	});

	test('a call Piopiy refuses is not waited for, and never sent again', async () => {
		server.behaviour = (request) => (CALL_PLACING_PATHS.has(request.path) ? { status: 402, body: { success: false, error: 'insufficient balance' } } : undefined);
		const port = await freePort();
		const { output } = await liveCheck(['--call', '+91 98765 43210', '--public-url', `http://127.0.0.1:${port}`, '--listen-port', String(port), '--yes']);
		expect(output).toContain('Piopiy did not accept the call (HTTP 402); not waiting for an answer.');
		expect(callPlacing()).toHaveLength(1);
	});
});

describe('answers as Piopiy might give them', () => {
	test('the nil call not found, rate-limit headers, a token the Test rejects though other requests got past sign-in', async () => {
		server.behaviour = (request): Reply | undefined => {
			const headers = { 'X-RateLimit-Limit': '10', 'X-RateLimit-Remaining': '9' };
			const body = request.body as { reason?: string; cause?: string };
			if (request.path !== '/voice/call/hangup') return undefined;
			if (body.reason === 'n8n credential test') return { status: 401, body: { error: 'no' }, headers };
			if (body.cause === 'normal_clearing') return { status: 400, body: { message: 'invalid cause' }, headers };
			const standard = server.standardReply(request);
			return 'status' in standard && standard.status === 200 ? { status: 404, body: { success: false, error: 'call not found' }, headers } : standard;
		};
		const { code, row } = await liveCheck([]);
		expect(code).toBe(1);
		expect(row('credential-probe')).toMatchObject({ agrees: '✘', observed: expect.stringContaining('HTTP 401 "no"') });
		expect(row('hangup-missing-call')).toMatchObject({ agrees: '✔', observed: 'HTTP 404 "call not found" { success, error }', node: 'the node reports it as refused' });
		expect(row('rate-limits')).toMatchObject({ agrees: '?', observed: 'x-ratelimit-limit: 10, x-ratelimit-remaining: 9' });
		expect(row('cause-case')).toMatchObject({ agrees: '✔', observed: 'lower case HTTP 400 "invalid cause", upper case HTTP 404' });
		expect(row('success-body')).toMatchObject({ agrees: '–', notChecked: 'notAsked' });
		expect(callPlacing()).toEqual([]);
	});

	test('a balance answer in which the node finds no balance: the account API was reached, and the row is a ✘', async () => {
		server.behaviour = (request) => (request.path === BALANCE_PATH ? { status: 200, body: { code: 200, credit: '12.5' } } : undefined);
		const { code, output, row } = await liveCheck([]);
		expect(output).toContain('**Token accepted · voice API reached · account API reached**');
		expect(row('balance')).toMatchObject({ agrees: '✘', node: 'Get Balance finds no balance in it' });
		expect(code).toBe(1);
	});

	test('an App ID the node would refuse: nothing is sent', async () => {
		const { code, output } = await liveCheck([], { env: environment({ PIOPIY_APP_ID: 'app-12' }) });
		expect(code).toBe(2);
		expect(output).toContain('Nothing was sent. The App ID of the Piopiy API credential is not valid: received "app-12": expected a whole number greater than 0');
		expect(server.requests).toEqual([]);
	});

	test('the balance without App ID and App Secret is not asked for', async () => {
		const { row } = await liveCheck([], { env: environment({ PIOPIY_APP_SECRET: '' }) });
		expect(row('balance')).toMatchObject({ agrees: '–', notChecked: 'notAsked', observed: 'not checked: set PIOPIY_APP_ID and PIOPIY_APP_SECRET to ask for the balance' });
		expect(server.requests.map((request) => request.path)).not.toContain('/v2/balance');
	});

	test('echoed secrets and signatures are removed from the output and the saved file', async () => {
		const signature = 'sig_0123456789abcdef0123';
		server.behaviour = (request) => ({
			status: 400,
			headers: { 'X-Signature': signature },
			body: { success: false, error: `bad request from ${String(request.headers.authorization)}`, echo: request.rawBody, note: `signed ${signature}` },
		});
		const { output, saved } = await liveCheck([]);
		for (const secret of [server.token, server.appSecret, signature]) {
			expect(saved).not.toContain(secret);
			expect(output).not.toContain(secret);
		}
		expect(saved).toContain('[redacted]');
	});
});

describe('the credential Test verdict matches n8n running the credential', () => {
	test.each<[string, Reply]>([
		['accepted', { status: 200, body: { success: true } }],
		['rejected', { status: 401, body: { error: 'bad token' } }],
		['not confirmed', { status: 404, body: { error: 'call not found' } }],
		['not now', { status: 503, body: {} }],
		['body says failed', { status: 200, body: { success: false, error: 'call not found' } }],
		['a cmi code', { status: 200, body: { code: 'cmi-404' } }],
		['not JSON', { status: 200, rawBody: '<html>hello</html>' }],
		['a status without a rule', { status: 418, body: {} }],
	])('%s', async (_name, reply) => {
		server.behaviour = () => reply;
		const n8n = await testCredential(new PiopiyApi(), server.credentials());
		const response = await fetch(`${server.url}/voice/call/hangup`, { method: 'POST' });
		expect(credentialVerdict(response.status, response.statusText, await response.text())).toEqual(n8n);
	});

	test('directly: a 401 is the rejection message, a 2xx text is "not JSON"', () => {
		expect(credentialVerdict(401, 'Unauthorized', '{}')).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.rejected(401) });
		expect(credentialVerdict(200, 'OK', 'ok')).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.notJson });
		expect(credentialVerdict(204, 'No Content', '')).toEqual({ status: 'Error', message: CREDENTIAL_TEST_MESSAGES.notJson });
	});
});

describe('the table and docs/piopiy-api.md', () => {
	test('every unknown of the docs names a row of the live check, and every row is in the docs', async () => {
		const docs = fs.readFileSync(path.resolve(__dirname, '../../docs/piopiy-api.md'), 'utf8');
		const table = docs.slice(docs.indexOf('## What is unknown'), docs.indexOf('## Live check'));
		const rowsOfDocs = table
			.split('\n')
			.filter((line) => line.startsWith('| ') && !line.startsWith('| Unknown'))
			.map((line) => /\| `([a-z-]+)`[^|]*\|$/.exec(line)?.[1]);
		const { report } = await liveCheck([]);
		expect(rowsOfDocs).toEqual(report!.findings.map((finding) => finding.id));
	});

	test('--help lists the options and the environment variables, and sends nothing', () => {
		const read = readConfig(['--help'], {});
		expect(read).toMatchObject({ ok: false, exitCode: 0 });
		expect(!read.ok && read.message).toContain('--call <number>');
		expect(!read.ok && read.message).toContain('PIOPIY_API_TOKEN');
		expect(!read.ok && read.message).toContain('5 to 900');
		for (const code of [0, 1, 2, 3, 4]) expect(!read.ok && read.message).toMatch(new RegExp(`^  ${code}  `, 'm'));
	});
});
