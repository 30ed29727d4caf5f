import type { IDataObject } from 'n8n-workflow';

import {
	capturedLogs,
	postToTrigger,
	startTriggerServer,
	type PostOptions,
	type TriggerServer,
} from '../support/webhook';

/**
 * The Piopiy Trigger over real HTTP: each test POSTs with `fetch` to a server that runs the node's
 * `webhook()` inside n8n-core's WebhookContext (see test/support/webhook.ts).
 */

const SECRET = 'f3c1b2a4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081';

const CDR = {
	call_id: 'c4504776-d91e-123b-29a7-56000429abc3',
	cmiuuid: '15b58236-734f-4000-a5e8-78284068f5c7',
	status: 'answered',
	duration: 45,
	from: 919876543210,
	to: 918045678900,
	direction: 'outbound',
	extra_params: '{"crm_id":"A-17","campaign":{"name":"renewals"}}',
};

const UNAUTHORIZED = { code: 401, message: 'Unauthorized: missing or wrong secret' };

const servers: TriggerServer[] = [];
async function serve(parameters: IDataObject): Promise<TriggerServer> {
	const server = await startTriggerServer(parameters);
	servers.push(server);
	return server;
}
afterAll(async () => {
	await Promise.all(servers.map(async (server) => await server.close()));
});

/** The trigger as most users set it up: call events, a secret, no filters. */
let cdrTrigger: TriggerServer;
beforeAll(async () => {
	cdrTrigger = await serve({ event: 'callStatus', secret: SECRET });
});

async function post(options: PostOptions, server = cdrTrigger) {
	return await postToTrigger(server, options);
}

function expectRefused(result: Awaited<ReturnType<typeof post>>): void {
	expect(result.status).toBe(401);
	expect(result.headers.get('content-type')).toMatch(/^application\/json/);
	expect(result.body).toEqual(UNAUTHORIZED);
	expect(result.call.result).toEqual({ noWebhookResponse: true });
	expect(result.call.started).toBe(false);
	expect(result.items).toEqual([]);
}

describe('authentication', () => {
	it('starts the workflow when the secret is in the query string', async () => {
		const result = await post({ query: { secret: SECRET }, json: CDR });

		expect(result.status).toBe(200);
		expect(result.body).toEqual({ message: 'Workflow was started' });
		expect(result.call.started).toBe(true);
		expect(result.items).toHaveLength(1);
		expect(result.items[0].call_id).toBe(CDR.call_id);
	});

	it('starts the workflow when the secret is in the X-Piopiy-Secret header', async () => {
		const result = await post({ headers: { 'X-Piopiy-Secret': SECRET }, json: CDR });

		expect(result.status).toBe(200);
		expect(result.call.started).toBe(true);
		expect(result.items[0].status).toBe('answered');
	});

	it('accepts the header whatever its case, as HTTP header names are case-insensitive', async () => {
		const result = await post({ headers: { 'x-PIOPIY-secret': SECRET }, json: CDR });
		expect(result.call.started).toBe(true);
	});

	it('accepts a right secret in one place even when the other place holds a wrong one', async () => {
		const result = await post({ query: { secret: 'wrong' }, headers: { 'X-Piopiy-Secret': SECRET }, json: CDR });
		expect(result.call.started).toBe(true);
	});

	it.each([
		['a wrong secret in the query string', { query: { secret: 'not-the-secret' } }],
		['a wrong secret in the header', { headers: { 'X-Piopiy-Secret': 'not-the-secret' } }],
		['no secret at all', {}],
		['an empty secret', { query: { secret: '' } }],
		['the secret with a character more', { query: { secret: `${SECRET}x` } }],
		['the secret less its last character', { query: { secret: SECRET.slice(0, -1) } }],
		['the secret in another case', { query: { secret: SECRET.toUpperCase() } }],
		['the secret under another query name', { query: { token: SECRET } }],
		['the secret in the Authorization header', { headers: { Authorization: `Bearer ${SECRET}` } }],
	])('answers 401 and starts nothing for %s', async (_name, options: PostOptions) => {
		expectRefused(await post({ ...options, json: CDR }));
	});

	it('answers 401 when the secret is sent twice in the query string, even if one is right', async () => {
		const url = new URL(cdrTrigger.url());
		url.search = `?secret=${SECRET}&secret=${SECRET}`;
		const before = cdrTrigger.calls.length;
		const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
		await cdrTrigger.calls[before].done;

		expect(response.status).toBe(401);
		expect(cdrTrigger.calls[before].started).toBe(false);
	});

	it('answers 401 and logs a warning when no secret is set in the node, whatever the request carries', async () => {
		const unset = await serve({ event: 'callStatus' });
		const logsBefore = capturedLogs.length;

		expectRefused(await post({ json: CDR }, unset));
		expectRefused(await post({ query: { secret: '' }, json: CDR }, unset));
		expectRefused(await post({ headers: { 'X-Piopiy-Secret': '' }, json: CDR }, unset));
		expectRefused(await post({ query: { secret: 'anything' }, json: CDR }, unset));

		const warnings = capturedLogs.slice(logsBefore).filter((line) => line.startsWith('warn'));
		expect(warnings).toHaveLength(4);
		expect(warnings[0]).toContain('Piopiy Trigger "Piopiy Trigger" refused a request with 401: no secret is set in the node');
	});

	it('treats a secret of only spaces as no secret', async () => {
		const blank = await serve({ event: 'callStatus', secret: '   ' });
		expectRefused(await post({ query: { secret: '   ' }, json: CDR }, blank));
	});

	it('starts the workflow without a secret only when Authentication is None', async () => {
		const open = await serve({ event: 'callStatus', authentication: 'none' });
		const result = await post({ json: CDR }, open);

		expect(result.status).toBe(200);
		expect(result.call.started).toBe(true);
	});

	it('refuses on the test URL exactly as on the production URL', async () => {
		expectRefused(await post({ kind: 'test', json: CDR }));
		const result = await post({ kind: 'test', query: { secret: SECRET }, json: CDR });

		expect(result.call.mode).toBe('manual');
		expect(result.call.started).toBe(true);
	});

	it('never outputs or logs the secret, even when the payload echoes the URL that holds it', async () => {
		const logsBefore = capturedLogs.length;
		const echoedUrl = `${cdrTrigger.url()}?secret=${SECRET}&step=menu`;
		const result = await post({
			query: { secret: SECRET, step: 'menu' },
			json: { ...CDR, on_result: { type: 'url', url: echoedUrl }, note: `secret is ${SECRET}`, copy: SECRET },
		});

		expect(result.call.started).toBe(true);
		const output = JSON.stringify(result.call.workflowData);
		expect(output).not.toContain(SECRET);
		expect(result.items[0].on_result).toEqual({
			type: 'url',
			url: `${cdrTrigger.url()}?secret=[redacted]&step=menu`,
		});
		expect(result.items[0].copy).toBe('[redacted]');
		expect((result.items[0].piopiyTrigger as IDataObject).query).toEqual({ step: 'menu' });
		expect(capturedLogs.slice(logsBefore).join('\n')).not.toContain(SECRET);
	});
});

describe('payload', () => {
	it('passes a JSON body through whole, parses extra_params and adds piopiyTrigger', async () => {
		const body = { ...CDR, recording: { enabled: true, channels: 'dual' }, tags: ['a', 'b'], v3_field: null };
		const result = await post({ query: { secret: SECRET }, json: body });
		const item = result.items[0];

		expect(item).toEqual({
			...body,
			extra_params: { crm_id: 'A-17', campaign: { name: 'renewals' } },
			piopiyTrigger: { event: 'callStatus', receivedAt: expect.any(String), query: {} },
		});
		const receivedAt = (item.piopiyTrigger as IDataObject).receivedAt as string;
		expect(new Date(receivedAt).toISOString()).toBe(receivedAt);
		expect(Math.abs(Date.now() - Date.parse(receivedAt))).toBeLessThan(10_000);
	});

	it('reads a form-encoded body, keeping its values as the text Piopiy sent', async () => {
		const result = await post({
			query: { secret: SECRET },
			form: { call_id: CDR.call_id, status: 'answered', duration: '45', extra_params: CDR.extra_params },
		});

		expect(result.call.started).toBe(true);
		expect(result.items[0]).toEqual({
			call_id: CDR.call_id,
			status: 'answered',
			duration: '45',
			extra_params: { crm_id: 'A-17', campaign: { name: 'renewals' } },
			piopiyTrigger: expect.any(Object),
		});
	});

	it('parses TeleCMI custom parameters sent as a JSON string the same way', async () => {
		const result = await post({ query: { secret: SECRET }, json: { ...CDR, custom: '{"crm":"true"}' } });
		expect(result.items[0].custom).toEqual({ crm: 'true' });
	});

	it.each([
		['plain text', 'campaign=renewals'],
		['broken JSON', '{"crm_id": "A-17"'],
		['a JSON number', '123'],
		['a JSON string', '"renewals"'],
		['an empty string', ''],
	])('keeps extra_params raw when it is %s', async (_name, raw) => {
		const result = await post({ query: { secret: SECRET }, json: { ...CDR, extra_params: raw } });
		expect(result.items[0].extra_params).toBe(raw);
	});

	it('keeps extra_params that is already an object', async () => {
		const result = await post({ query: { secret: SECRET }, json: { ...CDR, extra_params: { crm_id: 'A-17' } } });
		expect(result.items[0].extra_params).toEqual({ crm_id: 'A-17' });
	});

	it('parses extra_params sent form-encoded', async () => {
		const result = await post({ query: { secret: SECRET }, form: { status: 'missed', extra_params: '{"click2call":"true"}' } });
		expect(result.items[0].extra_params).toEqual({ click2call: 'true' });
	});

	it('makes one item per event when the body is an array', async () => {
		const result = await post({
			query: { secret: SECRET },
			json: [
				{ ...CDR, call_id: 'one' },
				{ ...CDR, call_id: 'two', extra_params: 'raw' },
			],
		});

		expect(result.items.map((item) => [item.call_id, item.extra_params])).toEqual([
			['one', { crm_id: 'A-17', campaign: { name: 'renewals' } }],
			['two', 'raw'],
		]);
	});

	it('reads JSON sent as text/plain, and keeps other text under body', async () => {
		const json = await post({
			query: { secret: SECRET },
			headers: { 'Content-Type': 'text/plain' },
			raw: JSON.stringify(CDR),
		});
		expect(json.items[0].call_id).toBe(CDR.call_id);

		const text = await post({ query: { secret: SECRET }, headers: { 'Content-Type': 'text/plain' }, raw: 'digits=12' });
		expect(text.items[0].body).toBe('digits=12');
	});

	it('starts the workflow for an empty body, since Piopiy v3 payloads are not fully published', async () => {
		const result = await post({ query: { secret: SECRET } });
		expect(result.call.started).toBe(true);
		expect(Object.keys(result.items[0])).toEqual(['piopiyTrigger']);
	});

	it('keeps the query string parameters other than the secret', async () => {
		const result = await post({ query: { secret: SECRET, step: 'menu', lang: 'ta' }, json: CDR });
		expect((result.items[0].piopiyTrigger as IDataObject).query).toEqual({ step: 'menu', lang: 'ta' });
	});

	it('passes caller input through and labels the event', async () => {
		const input = await serve({ event: 'callerInput', secret: SECRET });
		const result = await post(
			{ query: { secret: SECRET, step: 'menu' }, json: { call_id: CDR.call_id, dtmf: '2', input_type: 'dtmf' } },
			input,
		);

		expect(result.items[0]).toEqual({
			call_id: CDR.call_id,
			dtmf: '2',
			input_type: 'dtmf',
			piopiyTrigger: { event: 'callerInput', receivedAt: expect.any(String), query: { step: 'menu' } },
		});
	});
});

describe('filters', () => {
	let answeredOnly: TriggerServer;
	let longCalls: TriggerServer;
	beforeAll(async () => {
		answeredOnly = await serve({
			event: 'callStatus',
			secret: SECRET,
			filters: { statuses: ['answered'], otherStatuses: 'no_answer, Cancelled' },
		});
		longCalls = await serve({ event: 'any', secret: SECRET, filters: { minDuration: 30 } });
	});

	async function startsOn(server: TriggerServer, body: IDataObject, form = false): Promise<boolean> {
		const result = await post(
			form ? { query: { secret: SECRET }, form: body as Record<string, string> } : { query: { secret: SECRET }, json: body },
			server,
		);
		expect(result.status).toBe(200);
		expect(result.body).toEqual(result.call.started ? { message: 'Workflow was started' } : { message: 'Webhook call received' });
		return result.call.started;
	}

	it.each([
		['answered', true],
		['ANSWERED', true],
		[' answered ', true],
		['no_answer', true],
		['cancelled', true],
		['missed', false],
		['busy', false],
		['failed', false],
	])('status filter: status %j starts a workflow: %s', async (status, starts) => {
		expect(await startsOn(answeredOnly, { ...CDR, status })).toBe(starts);
	});

	it('status filter: an event without a status does not pass', async () => {
		const { status: _status, ...noStatus } = CDR;
		expect(await startsOn(answeredOnly, noStatus)).toBe(false);
	});

	it.each([
		[{ duration: 45 }, true],
		[{ duration: 30 }, true],
		[{ duration: 29 }, false],
		[{ duration: 0 }, false],
		[{ duration: '45' }, true],
		[{ duration: 'long' }, false],
		[{ answeredsec: 117 }, true],
		[{ answeredsec: 11 }, false],
		[{ duration: 10, answeredsec: 117 }, false],
		[{}, false],
	])('minimum duration 30 s: %j starts a workflow: %s', async (fields, starts) => {
		const { duration: _duration, ...rest } = CDR;
		expect(await startsOn(longCalls, { ...rest, ...fields })).toBe(starts);
	});

	it('minimum duration works on form-encoded bodies', async () => {
		expect(await startsOn(longCalls, { status: 'answered', duration: '31' }, true)).toBe(true);
		expect(await startsOn(longCalls, { status: 'answered', duration: '3' }, true)).toBe(false);
	});

	it('applies status and duration together', async () => {
		const both = await serve({
			event: 'callStatus',
			secret: SECRET,
			filters: { statuses: ['answered'], minDuration: 60 },
		});
		expect(await startsOn(both, { ...CDR, status: 'answered', duration: 90 })).toBe(true);
		expect(await startsOn(both, { ...CDR, status: 'answered', duration: 45 })).toBe(false);
		expect(await startsOn(both, { ...CDR, status: 'missed', duration: 90 })).toBe(false);
	});

	it('keeps only the events of an array that pass, and starts nothing when none does', async () => {
		const mixed = await post(
			{ query: { secret: SECRET }, json: [{ ...CDR, call_id: 'a' }, { ...CDR, call_id: 'b', status: 'missed' }] },
			answeredOnly,
		);
		expect(mixed.items.map((item) => item.call_id)).toEqual(['a']);

		const none = await post({ query: { secret: SECRET }, json: [{ ...CDR, status: 'missed' }] }, answeredOnly);
		expect(none.call.started).toBe(false);
		expect(none.call.result).toEqual({});
	});

	it('does not apply call filters to caller input', async () => {
		const input = await serve({
			event: 'callerInput',
			secret: SECRET,
			filters: { statuses: ['answered'], minDuration: 30 },
		});
		expect(await startsOn(input, { call_id: CDR.call_id, dtmf: '1' })).toBe(true);
	});

	it('checks the secret before the filters: a filtered-out event without the secret still gets 401', async () => {
		expectRefused(await post({ json: { ...CDR, status: 'missed' } }, answeredOnly));
	});
});
