import { HookContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';

import { PiopiyTrigger } from '../../nodes/PiopiyTrigger/PiopiyTrigger.node';
import {
	capturedLogs,
	postToTrigger,
	startTriggerServer,
	triggerAdditionalData,
	triggerWorkflow,
	type PostOptions,
	type TriggerNodeOptions,
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
const NOT_SET_UP = {
	code: 401,
	message: 'Unauthorized: this Piopiy Trigger refuses every request until it has a secret of at least 16 characters',
};

const servers: TriggerServer[] = [];
async function serve(parameters: IDataObject, options?: TriggerNodeOptions): Promise<TriggerServer> {
	const server = await startTriggerServer(parameters, options);
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

function expectRefused(result: Awaited<ReturnType<typeof post>>, body: object = UNAUTHORIZED): void {
	expect(result.status).toBe(401);
	expect(result.headers.get('content-type')).toMatch(/^application\/json/);
	expect(result.body).toEqual(body);
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

		expectRefused(await post({ json: CDR }, unset), NOT_SET_UP);
		expectRefused(await post({ query: { secret: '' }, json: CDR }, unset), NOT_SET_UP);
		expectRefused(await post({ headers: { 'X-Piopiy-Secret': '' }, json: CDR }, unset), NOT_SET_UP);
		expectRefused(await post({ query: { secret: 'anything' }, json: CDR }, unset), NOT_SET_UP);

		const warnings = capturedLogs.slice(logsBefore).filter((line) => line.startsWith('warn'));
		expect(warnings).toHaveLength(4);
		expect(warnings[0]).toContain('Piopiy Trigger "Piopiy Trigger" refused a request with 401: no secret is set in the node');
	});

	it('treats a secret of only spaces as no secret', async () => {
		const blank = await serve({ event: 'callStatus', secret: '   ' });
		expectRefused(await post({ query: { secret: '   ' }, json: CDR }, blank), NOT_SET_UP);
	});

	it('refuses every request while the secret is shorter than 16 characters, even one that carries it', async () => {
		// Before issue 16 this trigger started the workflow, and its redaction turned the caller's number
		// 919876543210 into 91[redacted]3210.
		const short = await serve({ event: 'callStatus', secret: '987654' });
		const logsBefore = capturedLogs.length;
		expectRefused(await post({ query: { secret: '987654' }, json: { ...CDR, from: '919876543210' } }, short), NOT_SET_UP);
		expectRefused(await post({ headers: { 'X-Piopiy-Secret': '987654' }, json: CDR }, short), NOT_SET_UP);
		const warnings = capturedLogs.slice(logsBefore).filter((line) => line.startsWith('warn'));
		expect(warnings[0]).toContain(
			'Piopiy Trigger "Piopiy Trigger" refused a request with 401: the secret set in the node is shorter than 16 characters',
		);
		expect(capturedLogs.slice(logsBefore).join('\n')).not.toContain('987654');

		const fifteen = await serve({ event: 'callStatus', secret: SECRET.slice(0, 15) });
		expectRefused(await post({ query: { secret: SECRET.slice(0, 15) }, json: CDR }, fifteen), NOT_SET_UP);
		const sixteen = await serve({ event: 'callStatus', secret: SECRET.slice(0, 16) });
		expect((await post({ query: { secret: SECRET.slice(0, 16) }, json: CDR }, sixteen)).call.started).toBe(true);
	});

	it('leaves phone numbers and IDs that share characters with the secret untouched; redacts the secret where it is', async () => {
		// A secret that starts with the caller's number: the number alone is not the secret.
		const secret = '919876543210-hook';
		const server = await serve({ event: 'callStatus', secret });
		const payload = {
			...CDR,
			from: '919876543210',
			to: 919876543210,
			cmiuuid: '91987654-3210-4000-a5e8-919876543210',
			headers: { 'X-Piopiy-Secret': secret, 'user-agent': 'piopiy' },
			echoed: secret,
			on_result: `https://n8n.example/webhook/x/piopiy?secret=${secret}&step=menu`,
		};
		const result = await post({ query: { secret }, json: payload }, server);
		expect(result.call.started).toBe(true);
		expect(result.items[0]).toEqual({
			...payload,
			extra_params: { crm_id: 'A-17', campaign: { name: 'renewals' } },
			headers: { 'X-Piopiy-Secret': '[redacted]', 'user-agent': 'piopiy' },
			echoed: '[redacted]',
			on_result: 'https://n8n.example/webhook/x/piopiy?secret=[redacted]&step=menu',
			piopiyTrigger: { event: 'callStatus', receivedAt: expect.any(String), query: {} },
		});
		expect(JSON.stringify(result.items)).not.toContain(secret);
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

/** Version 1.1 and the Piopiy Webhook API credential; version 1 workflows moving to it. */
describe('the secret in a Piopiy Webhook API credential', () => {
	const CREDENTIAL_SECRET = '0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f';

	it('version 1.1: starts the workflow only with the credential\'s secret, in the URL or the header', async () => {
		const server = await serve({ event: 'callStatus' }, { typeVersion: 1.1, webhookCredential: { secret: CREDENTIAL_SECRET } });
		expectRefused(await post({ json: CDR }, server));
		expectRefused(await post({ query: { secret: SECRET }, json: CDR }, server));
		expect((await post({ query: { secret: CREDENTIAL_SECRET }, json: CDR }, server)).call.started).toBe(true);
		const inHeader = await post({ headers: { 'X-Piopiy-Secret': CREDENTIAL_SECRET }, json: { ...CDR, copy: CREDENTIAL_SECRET } }, server);
		expect(inHeader.call.started).toBe(true);
		expect(inHeader.items[0].copy).toBe('[redacted]');
	});

	it('version 1.1 without a credential, or with an empty or short secret in it: 401 for everything, and a warning that says why', async () => {
		const cases: Array<[TriggerNodeOptions, string]> = [
			[{ typeVersion: 1.1 }, 'no Piopiy Webhook API credential is selected in the node'],
			[{ typeVersion: 1.1, webhookCredential: { secret: '  ' } }, 'no secret is set in its Piopiy Webhook API credential'],
			[{ typeVersion: 1.1, webhookCredential: { secret: 'abc123' } }, 'the secret set in its Piopiy Webhook API credential is shorter than 16 characters'],
		];
		for (const [options, why] of cases) {
			const server = await serve({ event: 'callStatus' }, options);
			const logsBefore = capturedLogs.length;
			expectRefused(await post({ query: { secret: 'abc123' }, json: CDR }, server), NOT_SET_UP);
			expect(capturedLogs.slice(logsBefore).filter((line) => line.startsWith('warn'))).toEqual([
				expect.stringContaining(`Piopiy Trigger "Piopiy Trigger" refused a request with 401: ${why}`),
			]);
		}
	});

	it('version 1 moved to the credential: the credential is used, a secret left in the node is not', async () => {
		const server = await serve(
			{ event: 'callStatus', authentication: 'credential', secret: SECRET },
			{ typeVersion: 1, webhookCredential: { secret: CREDENTIAL_SECRET } },
		);
		expectRefused(await post({ query: { secret: SECRET }, json: CDR }, server));
		expect((await post({ query: { secret: CREDENTIAL_SECRET }, json: CDR }, server)).call.started).toBe(true);
	});

	it('version 1 with the secret in the node, as existing workflows have it, still works', async () => {
		// The JSON an existing workflow holds: Authentication left out, as it was the default.
		const server = await serve({ secret: SECRET }, { typeVersion: 1 });
		expect((await post({ query: { secret: SECRET }, json: CDR }, server)).call.started).toBe(true);
		expectRefused(await post({ query: { secret: CREDENTIAL_SECRET }, json: CDR }, server));
	});
});

/**
 * n8n calls checkExists when it activates a workflow and when the editor listens for a test event:
 * a trigger that would refuse every request fails there, with what to do, instead of answering 401
 * unnoticed. Run in n8n-core's HookContext, as n8n runs it.
 */
describe('activation', () => {
	const trigger = new PiopiyTrigger();
	async function activate(parameters: IDataObject, options: TriggerNodeOptions = {}) {
		const { workflow, node } = triggerWorkflow(parameters, options);
		const context = new HookContext(workflow, node, triggerAdditionalData(options.webhookCredential), 'trigger', 'activate');
		return await trigger.webhookMethods.default.checkExists.call(context);
	}
	const credential = (secret: string): TriggerNodeOptions & { webhookCredential: ICredentialDataDecryptedObject } => ({
		typeVersion: 1.1,
		webhookCredential: { secret },
	});

	it('activates with a usable secret, from the credential or the node, and with Authentication None', async () => {
		expect(await activate({ event: 'callStatus' }, credential(SECRET))).toBe(true);
		expect(await activate({ event: 'callStatus', secret: SECRET })).toBe(true);
		expect(await activate({ event: 'callStatus', authentication: 'none' })).toBe(true);
		expect(await activate({ event: 'callStatus', authentication: 'none' }, { typeVersion: 1.1 })).toBe(true);
	});

	it.each([
		['version 1.1 without a credential', {}, { typeVersion: 1.1 }, 'no Piopiy Webhook API credential is selected in the node'],
		['a short secret in the credential', {}, credential('0123456789abcde'), 'the secret set in its Piopiy Webhook API credential is shorter than 16 characters'],
		['no secret in a version 1 node', {}, {}, 'no secret is set in the node'],
		['a short secret in a version 1 node', { secret: 'hunter2' }, {}, 'the secret set in the node is shorter than 16 characters'],
	])('refuses %s, saying why and what to do', async (_name, parameters: IDataObject, options: TriggerNodeOptions, why) => {
		const error = (await activate({ event: 'callStatus', ...parameters }, options).catch((caught: unknown) => caught)) as Error & {
			description?: string;
		};
		expect(error).toBeInstanceOf(Error);
		expect(error.message).toBe(`Piopiy Trigger "Piopiy Trigger" cannot accept requests: ${why}`);
		expect(error.description).toMatch(/^Select a Piopiy Webhook API credential .* at least 16 characters, e\.g\. the output of openssl rand -hex 32/);
		expect(JSON.stringify(error)).not.toMatch(/hunter2|0123456789abcde/);
	});
});
