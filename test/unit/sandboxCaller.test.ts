import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';

import { DEFAULT_ANSWER_DELAY_SEC, sandboxCallerOptionsFromEnv, startSandboxCaller } from '../../scripts/sandbox/caller';
import { CALL_ID } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/** The `npm start` sandbox's caller: answers a question with the default keys, or with typed ones. */
describe('sandbox caller', () => {
	const piopiy = new PiopiyTestServer();
	const received: Array<{ url: string; body: unknown }> = [];
	const n8n = createServer((request: IncomingMessage, response) => {
		let raw = '';
		request.on('data', (chunk) => (raw += chunk));
		request.on('end', () => {
			received.push({ url: request.url ?? '', body: JSON.parse(raw) });
			response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
		});
	});
	let resultUrl = '';

	beforeAll(async () => {
		await piopiy.start();
		await new Promise<void>((resolve) => n8n.listen(0, '127.0.0.1', resolve));
		resultUrl = `http://127.0.0.1:${(n8n.address() as AddressInfo).port}/webhook-waiting/7/node?signature=abc`;
	});
	afterAll(async () => {
		await piopiy.stop();
		await new Promise((resolve) => n8n.close(resolve));
	});
	beforeEach(() => {
		received.length = 0;
		piopiy.reset();
	});

	async function ask() {
		const response = await fetch(`${piopiy.url}/voice/pcmo/transfer`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${piopiy.token}` },
			body: JSON.stringify({
				call_id: CALL_ID,
				pipeline: [{ action: 'play_get_input', prompt: { type: 'file', file_name: 'q.mp3' }, input: ['dtmf'], on_result: { type: 'url', url: resultUrl } }],
			}),
		});
		expect(response.status).toBe(200);
	}

	const until = async (condition: () => boolean) => {
		for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
	};

	test('answers the default keys after the delay, to the result URL, naming the call', async () => {
		const lines: string[] = [];
		const caller = startSandboxCaller({ defaultAnswer: '1', delayMs: 20, log: (line) => lines.push(line) });
		piopiy.behaviour = caller.behaviour;
		await ask();
		// The caller logs once n8n has answered its post.
		await until(() => lines.some((line) => line.includes('pressed')));
		caller.stop();
		expect(received).toEqual([{ url: '/webhook-waiting/7/node?signature=abc', body: { call_id: CALL_ID, digits: '1' } }]);
		expect(lines.join('\n')).toMatch(/pressed 1 → n8n answered 200/);
	});

	test('keys typed in the terminal answer first; nothing else is posted', async () => {
		const input = new PassThrough();
		const caller = startSandboxCaller({ defaultAnswer: '1', delayMs: 5_000, input, log: () => undefined });
		piopiy.behaviour = caller.behaviour;
		await ask();
		input.write('42#\n');
		await until(() => received.length > 0);
		caller.stop();
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(received).toEqual([{ url: '/webhook-waiting/7/node?signature=abc', body: { call_id: CALL_ID, digits: '42#' } }]);
	});

	test('words typed in the terminal are spoken: posted as speech (Call and Ask, Free Text)', async () => {
		const input = new PassThrough();
		const lines: string[] = [];
		const caller = startSandboxCaller({ defaultAnswer: 'none', delayMs: 20, input, log: (line) => lines.push(line) });
		piopiy.behaviour = caller.behaviour;
		await ask();
		input.write('not today, call her on Friday\n');
		await until(() => lines.some((line) => line.includes('said')));
		caller.stop();
		expect(received).toEqual([{ url: '/webhook-waiting/7/node?signature=abc', body: { call_id: CALL_ID, speech: 'not today, call her on Friday' } }]);
		expect(lines.join('\n')).toMatch(/said "not today, call her on Friday" → n8n answered 200/);
	});

	test('a default answer in words is spoken after the delay', async () => {
		const caller = startSandboxCaller({ defaultAnswer: 'Thursday would be better', delayMs: 20, log: () => undefined });
		piopiy.behaviour = caller.behaviour;
		await ask();
		await until(() => received.length > 0);
		caller.stop();
		expect(received).toEqual([{ url: '/webhook-waiting/7/node?signature=abc', body: { call_id: CALL_ID, speech: 'Thursday would be better' } }]);
	});

	test('the question is printed below the request line that asked it, and again below every later line while open', async () => {
		const lines: string[] = [];
		const caller = startSandboxCaller({ defaultAnswer: '1', delayMs: 30_000, log: (line) => lines.push(line) });
		piopiy.behaviour = (request, server) => {
			const reply = caller.behaviour(request, server);
			lines.push(`REQUEST ${request.path}`); // what the sandbox server logs, then it calls announce()
			caller.announce();
			return reply;
		};
		await ask();
		const asked = lines.indexOf('REQUEST /voice/pcmo/transfer');
		expect(asked).toBe(0);
		expect(lines[1]).toBe(`[piopiy-sandbox] >>> The caller on call ${CALL_ID} hears the recording q.mp3`);
		expect(lines[2]).toMatch(/^\[piopiy-sandbox\] >>> Answer as the caller: type keys \(e\.g\. 2\) or words here, then Enter\. Without your answer the caller presses 1 in 30 s\.$/);
		expect(lines[3]).toContain('PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120 npm start');

		// Another line (a second request) pushes it up: a reminder follows it, the last line on screen.
		lines.length = 0;
		await fetch(`${piopiy.url}/voice/call/hangup`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${piopiy.token}` },
			body: JSON.stringify({ call_id: CALL_ID }),
		});
		expect(lines).toHaveLength(2);
		expect(lines[1]).toMatch(new RegExp(`^\\[piopiy-sandbox\\] >>> still waiting for the caller on call ${CALL_ID}: type keys or words \\+ Enter \\(without your answer the caller presses 1 in (29|30) s\\)$`));
		caller.stop();
		expect(received).toEqual([]);
	});

	test('a typed answer says so, and nothing is left to remind of', async () => {
		const input = new PassThrough();
		const lines: string[] = [];
		const caller = startSandboxCaller({ defaultAnswer: '1', delayMs: 30_000, input, log: (line) => lines.push(line) });
		piopiy.behaviour = caller.behaviour;
		await ask();
		input.write('2\n');
		await until(() => lines.some((line) => line.includes('pressed')));
		caller.announce();
		caller.stop();
		expect(lines.filter((line) => line.includes('still waiting'))).toEqual([]);
		expect(lines.join('\n')).toMatch(new RegExp(`you answered: the caller on call ${CALL_ID} pressed 2 → n8n answered 200`));
	});

	test('the caller waits 30 s by default, PIOPIY_SANDBOX_ANSWER_DELAY_SEC changes it', () => {
		const saved = process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC;
		try {
			delete process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC;
			expect(DEFAULT_ANSWER_DELAY_SEC).toBe(30);
			expect(sandboxCallerOptionsFromEnv().delayMs).toBe(30_000);
			process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC = '120';
			expect(sandboxCallerOptionsFromEnv().delayMs).toBe(120_000);
			process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC = 'soon';
			expect(sandboxCallerOptionsFromEnv().delayMs).toBe(30_000);
		} finally {
			if (saved === undefined) delete process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC;
			else process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC = saved;
		}
	});
});
