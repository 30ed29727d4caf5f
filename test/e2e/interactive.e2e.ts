import { randomUUID } from 'node:crypto';

import { ScriptedCaller, type Question } from '../support/caller';
import { CALL_ID } from '../support/fixtures';
import { askWorkflow, firstOutput, startFromWebhook, untilStatus } from './support/executions';
import { GOOD_CREDENTIAL, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { forE2e, node, readExample, type Workflow } from './support/workflows';

/**
 * Asking and waiting in a real n8n (issue 17): published workflows started from their production
 * webhooks, the execution waiting in n8n's database, and resumed by the Piopiy stand-in playing the
 * caller (test/support/caller.ts), which posts the answer to the `on_result` URL the node sent. Also:
 * forged posts (no signature or check, wrong ones, another call's ID) change nothing, a second post
 * to a resumed URL is harmless, and the wait limit ends the wait with a "noAnswer" item.
 */

const typePrefix = TYPE_PREFIX.communityPackage;
const OTHER_CALL_ID = '0f0e0d0c-0b0a-4908-8706-050403020100';

const IDS = { ask: 'E2eAskAndWait001', askShort: 'E2eAskAndWait002', appointment: 'E2eExApptConf001', freeText: 'E2eExApptFree001' };
const PATHS = { ask: 'e2e-ask', askShort: 'e2e-ask-short', appointment: 'piopiy-appointment', freeText: 'piopiy-appointment-free-text' };

/** The appointment example with Call and Ask's Response Type set to Free Text (issue 20). */
function freeTextAppointment(): Workflow {
	const workflow = forE2e(readExample('appointment-confirmation-by-phone.json'), { id: IDS.freeText, credential: GOOD_CREDENTIAL, typePrefix });
	node(workflow, 'Appointment booked').parameters.path = PATHS.freeText;
	node(workflow, 'Appointment booked').webhookId = randomUUID();
	Object.assign(node(workflow, 'Call and ask').parameters, { answerType: 'freeText', message: '=Hello {{ $json.body.name }}, when would suit you for your appointment?' });
	return workflow;
}

let stack: Stack;
const caller = new ScriptedCaller();

beforeAll(async () => {
	stack = await startStack({
		name: 'interactive',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: [
			askWorkflow({ id: IDS.ask, path: PATHS.ask, waitLimit: 5, typePrefix }),
			askWorkflow({ id: IDS.askShort, path: PATHS.askShort, waitLimit: 0.5, typePrefix }),
			forE2e(readExample('appointment-confirmation-by-phone.json'), { id: IDS.appointment, credential: GOOD_CREDENTIAL, typePrefix }),
			freeTextAppointment(),
		],
	});
	stack.piopiy.behaviour = caller.behaviour;
	for (const [id, path] of [
		[IDS.ask, PATHS.ask],
		[IDS.askShort, PATHS.askShort],
		[IDS.appointment, PATHS.appointment],
		[IDS.freeText, PATHS.freeText],
	]) {
		await stack.publish(id, `/webhook/${path}`);
	}
}, 300_000);

afterAll(async () => {
	await caller.settled();
	await stack?.stop();
}, 60_000);

beforeEach(() => {
	stack.piopiy.reset();
	stack.piopiy.behaviour = caller.behaviour;
	caller.reset();
});

const start = (workflowId: string, path: string, body: unknown) => startFromWebhook(stack, workflowId, path, body);
const until = (executionId: string, status: string, timeoutMs?: number) => untilStatus(stack, executionId, status, timeoutMs);
const output = firstOutput;

/** The one question the stand-in's caller heard. */
function onlyQuestion(): Question {
	expect(caller.questions).toHaveLength(1);
	return caller.questions[0];
}

function secretsOf(url: string): string[] {
	const params = new URL(url).searchParams;
	return ['signature', 'piopiy_check'].map((name) => params.get(name)).filter((value): value is string => !!value);
}

describe(`Call → Ask and Wait for Input in n8n ${N8N_VERSION}`, () => {
	it('the execution waits, and the caller\'s answer posted to its resume URL resumes it with the answer', async () => {
		caller.reset((question) => ({ call_id: question.callId, dtmf: '2', status: 'completed' }));
		const executionId = await start(IDS.ask, PATHS.ask, { call_id: CALL_ID });
		const stored = await until(executionId, 'success');
		const question = onlyQuestion();

		expect(stack.piopiy.requests).toHaveLength(1);
		expect(stack.piopiy.requests[0].path).toBe('/voice/pcmo/transfer');
		expect(stack.piopiy.requests[0].violations).toEqual([]);
		expect(question.callId).toBe(CALL_ID);
		expect(question.url.startsWith(`${stack.url.replace(/\/$/, '')}/webhook-waiting/${executionId}/`)).toBe(true);
		expect(caller.posts.map((post) => post.status)).toEqual([200]);

		expect(output(stored, 'Ask')).toEqual({
			answered: true,
			outcome: 'answered',
			digits: '2',
			speech: null,
			call_id: CALL_ID,
			response: { call_id: CALL_ID, dtmf: '2', status: 'completed' },
		});
		expect(output(stored, 'After the answer')).toMatchObject({ digits: '2' });
		// The URL's secrets are in no output, nor in any file n8n keeps for our node (n8n 2.x stores
		// its own resume token in the execution; the node's check and n8n's HMAC signature are not).
		const check = new URL(question.url).searchParams.get('piopiy_check') as string;
		expect(stored.raw).not.toContain(check);
		expect(stack.filesContaining(check)).toEqual([]);
		expect(stack.n8n.logs()).not.toContain(check);
		process.stderr.write(
			`[interactive] n8n ${N8N_VERSION} ask and wait: request ${JSON.stringify(stack.piopiy.requests[0].body).replace(/(signature|piopiy_check)=[0-9a-f]+/g, '$1=…')}\n` +
				`  resume received: POST ${new URL(question.url).pathname} ${JSON.stringify(caller.posts[0].body)} → ${caller.posts[0].status}\n` +
				`  output: ${JSON.stringify(output(stored, 'Ask'))}\n`,
		);
	}, 120_000);

	it('forged posts change nothing (401, 409), the real one resumes, and a second post to it is harmless', async () => {
		caller.reset(() => undefined);
		const executionId = await start(IDS.ask, PATHS.ask, { call_id: CALL_ID });
		await until(executionId, 'waiting');
		await new Promise((resolve) => setTimeout(resolve, 500));
		const { url } = onlyQuestion();

		const withoutSecrets = new URL(url);
		withoutSecrets.searchParams.delete('signature');
		withoutSecrets.searchParams.delete('piopiy_check');
		const wrongCheck = new URL(url);
		wrongCheck.searchParams.set('piopiy_check', 'f'.repeat(64));
		const otherCall = new URL(url);
		otherCall.searchParams.set('call_id', OTHER_CALL_ID);
		const forged = [
			await caller.post(withoutSecrets.toString(), { call_id: CALL_ID, digits: '1' }),
			await caller.post(wrongCheck.toString(), { call_id: CALL_ID, digits: '1' }),
			await caller.post(otherCall.toString(), { call_id: OTHER_CALL_ID, digits: '1' }),
			// The right URL, but the input of another call.
			await caller.post(url, { call_id: OTHER_CALL_ID, digits: '1' }),
		];
		expect(forged.map((post) => post.status)).toEqual([401, 401, 401, 409]);
		for (const post of forged) {
			for (const secret of secretsOf(url)) expect(post.responseText).not.toContain(secret);
		}
		expect((await stack.storedExecution(executionId)).status).toBe('waiting');

		const real = await caller.post(url, { call_id: CALL_ID, digits: '1' });
		expect(real.status).toBe(200);
		const stored = await until(executionId, 'success');
		expect(output(stored, 'Ask')).toMatchObject({ answered: true, digits: '1', call_id: CALL_ID });

		const again = await caller.post(url, { call_id: CALL_ID, digits: '2' });
		expect(again.status).toBeGreaterThanOrEqual(400);
		const after = await stack.storedExecution(executionId);
		expect(after.status).toBe('success');
		expect(output(after, 'Ask')).toMatchObject({ digits: '1' });
		expect((await stack.executions(IDS.ask)).filter((execution) => execution.id === executionId)).toHaveLength(1);
		// Asked once: no post re-sent the question.
		expect(stack.piopiy.requests).toHaveLength(1);
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} forged posts → ${forged.map((post) => post.status).join(', ')}; real → ${real.status}; second → ${again.status}\n`);
	}, 120_000);

	it('nobody answers: after the wait limit the item says so (answered false, outcome noAnswer)', async () => {
		caller.reset(() => undefined);
		const started = Date.now();
		const executionId = await start(IDS.askShort, PATHS.askShort, { call_id: CALL_ID });
		await until(executionId, 'waiting');
		const stored = await until(executionId, 'success', 150_000);
		expect(output(stored, 'Ask')).toEqual({
			answered: false,
			outcome: 'noAnswer',
			digits: null,
			speech: null,
			call_id: CALL_ID,
			waitedMinutes: 0.5,
		});
		expect(output(stored, 'After the answer')).toMatchObject({ outcome: 'noAnswer' });
		expect(stack.piopiy.requests).toHaveLength(1);
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} time-out: a 30 s wait limit ended after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
	}, 200_000);
});

describe(`Call → Call and Ask (sendAndWait) in n8n ${N8N_VERSION}: the appointment example`, () => {
	const appointment = { name: 'Asha', phone: '+91 98765 43210', when: 'Tuesday at 10 am' };

	it.each([
		['1', 'approved', 'Confirmed: goodbye', 'appointment_confirmed_goodbye.mp3'],
		['2', 'declined', 'Cancelled: goodbye', 'appointment_cancelled_goodbye.mp3'],
	])('pressing %s: %s, then a goodbye and a hang-up on the same call', async (key, decision, branch, file) => {
		caller.reset((question) => ({ call_id: question.callId, digits: key }));
		const executionId = await start(IDS.appointment, PATHS.appointment, appointment);
		const stored = await until(executionId, 'success');
		const question = onlyQuestion();

		expect(stack.piopiy.placedCalls()).toHaveLength(1);
		const [call, goodbye] = stack.piopiy.requests;
		expect(call.path).toBe('/voice/pcmo/call');
		expect(call.violations).toEqual([]);
		expect(call.body).toMatchObject({
			to_number: '919876543210',
			pipeline: [
				{
					action: 'play_get_input',
					prompt: {
						type: 'say',
						say: 'Hello Asha, this is a reminder of your appointment on Tuesday at 10 am. Press 1 to confirm it, or 2 to cancel it.',
					},
					input: ['dtmf'],
				},
			],
		});
		const signature = new URL(question.url).searchParams.get('signature') as string;
		expect(signature).toMatch(/^[0-9a-f]{64}$/);

		expect(output(stored, 'Call and ask')).toEqual({
			answered: true,
			outcome: 'answered',
			digits: key,
			speech: null,
			approved: decision === 'approved',
			decision,
			call_id: question.callId,
			response: { call_id: question.callId, digits: key },
		});
		expect(goodbye.path).toBe('/voice/pcmo/transfer');
		expect(goodbye.body).toEqual({ call_id: question.callId, pipeline: [{ action: 'play', file_name: file }, { action: 'hangup' }] });
		expect(output(stored, branch)).toBeDefined();
		expect(stack.piopiy.requests).toHaveLength(2);
		expect(stored.raw).not.toContain(signature);
		expect(stack.filesContaining(signature)).toEqual([]);
		expect(stack.n8n.logs()).not.toContain(signature);
		process.stderr.write(
			`[interactive] n8n ${N8N_VERSION} call and ask (${key}): request ${JSON.stringify(call.body).replace(/signature=[0-9a-f]+/g, 'signature=…')}\n` +
				`  resume received: POST ${new URL(question.url).pathname} ${JSON.stringify(caller.posts[0].body)} → ${caller.posts[0].status}\n` +
				`  output: ${JSON.stringify(output(stored, 'Call and ask'))}\n`,
		);
	}, 120_000);

	it('a post without n8n\'s signature, with a wrong one, or about another call changes nothing; the signed one resumes', async () => {
		caller.reset(() => undefined);
		const executionId = await start(IDS.appointment, PATHS.appointment, appointment);
		await until(executionId, 'waiting');
		await new Promise((resolve) => setTimeout(resolve, 500));
		const { url, callId } = onlyQuestion();
		const unsigned = new URL(url);
		unsigned.searchParams.delete('signature');
		const wrong = new URL(url);
		wrong.searchParams.set('signature', '0'.repeat(64));
		const forged = [
			await caller.post(unsigned.toString(), { call_id: callId, digits: '1' }),
			await caller.post(wrong.toString(), { call_id: callId, digits: '1' }),
			// The signed URL, but the input of another call.
			await caller.post(url, { call_id: OTHER_CALL_ID, digits: '1' }),
		];
		expect(forged.map((post) => post.status)).toEqual([401, 401, 409]);
		expect((await stack.storedExecution(executionId)).status).toBe('waiting');
		expect(await caller.post(url, { call_id: callId, digits: '1' })).toMatchObject({ status: 200 });
		const stored = await until(executionId, 'success');
		expect(output(stored, 'Call and ask')).toMatchObject({ approved: true, decision: 'approved' });
		// The call was placed once; the resume did not place it again.
		expect(stack.piopiy.placedCalls()).toHaveLength(1);
	}, 120_000);
});

describe(`Call → Call and Ask, Response Type Free Text, in n8n ${N8N_VERSION}`, () => {
	it.each([
		['says', { speech: 'Thursday morning would be better' }, 'Thursday morning would be better'],
		['keys in', { dtmf: '1030#' }, '1030'],
	])('the person %s the answer: the output has it as text, the other fields kept', async (_how, said, text) => {
		caller.reset((question) => ({ call_id: question.callId, ...said }));
		const executionId = await start(IDS.freeText, PATHS.freeText, { name: 'Asha', phone: '+91 98765 43210', when: 'Tuesday at 10 am' });
		const stored = await until(executionId, 'success');
		const question = onlyQuestion();
		const [call] = stack.piopiy.requests;
		expect(call.violations).toEqual([]);
		expect(call.body).toMatchObject({
			pipeline: [{ action: 'play_get_input', prompt: { type: 'say', say: 'Hello Asha, when would suit you for your appointment?' }, input: ['speech', 'dtmf'], dtmf: { min_digits: 1, finish_on_key: '#' } }],
		});
		expect(output(stored, 'Call and ask')).toEqual({
			answered: true,
			outcome: 'answered',
			digits: 'dtmf' in said ? said.dtmf : null,
			speech: 'speech' in said ? said.speech : null,
			text,
			call_id: question.callId,
			response: { call_id: question.callId, ...said },
		});
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} call and ask, free text: posted ${JSON.stringify(said)} → text ${JSON.stringify(text)}\n`);
	}, 120_000);
});
