import { randomUUID } from 'node:crypto';
import type { IDataObject } from 'n8n-workflow';

import type { Question as AskedQuestion } from '../../nodes/Piopiy/interactive/question';
import { sealQuestion, waitingPathIds } from '../../nodes/Piopiy/interactive/seal';
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

const IDS = {
	ask: 'E2eAskAndWait001',
	askShort: 'E2eAskAndWait002',
	askShortError: 'E2eAskAndWait005',
	askLoop: 'E2eAskAndWait003',
	askLoopError: 'E2eAskAndWait004',
	appointment: 'E2eExApptConf001',
	freeText: 'E2eExApptFree001',
	byExpression: 'E2eExApptExpr001',
};
const PATHS = {
	ask: 'e2e-ask',
	askShort: 'e2e-ask-short',
	askShortError: 'e2e-ask-short-error',
	askLoop: 'e2e-ask-loop',
	askLoopError: 'e2e-ask-loop-error',
	appointment: 'piopiy-appointment',
	freeText: 'piopiy-appointment-free-text',
	byExpression: 'piopiy-appointment-by-expression',
};

/**
 * Start → Split Out (the posted `questions`) → Loop Over Items (one a pass) → Ask → back to the loop:
 * the same node asks the same call again in the same execution, once per question.
 */
function askInLoopWorkflow(whenNobodyAnswers: 'output' | 'error' = 'output'): Workflow {
	const [id, path] = whenNobodyAnswers === 'error' ? [IDS.askLoopError, PATHS.askLoopError] : [IDS.askLoop, PATHS.askLoop];
	const workflow = askWorkflow({ id, path, waitLimit: 5, typePrefix });
	const [start, ask, after] = workflow.nodes as Array<{ name: string; parameters: Record<string, unknown>; onError?: string }>;
	ask.parameters.callId = "={{ $('Start').first().json.body.call_id }}";
	if (whenNobodyAnswers === 'error') {
		ask.parameters.noAnswer = 'error';
		ask.onError = 'continueErrorOutput';
	}
	const newNode = (name: string, type: string, typeVersion: number, parameters: object) => ({ id: randomUUID(), name, type, typeVersion, position: [0, 200], parameters });
	workflow.nodes = [
		start,
		newNode('Questions', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.questions', options: {} }),
		newNode('Loop', 'n8n-nodes-base.splitInBatches', 3, { batchSize: 1, options: {} }),
		ask,
		after,
		newNode('All asked', 'n8n-nodes-base.noOp', 1, {}),
	] as Workflow['nodes'];
	const to = (name: string) => [{ node: name, type: 'main', index: 0 }];
	workflow.connections = {
		Start: { main: [to('Questions')] },
		Questions: { main: [to('Loop')] },
		Loop: { main: [to('All asked'), to('Ask')] },
		Ask: { main: [to('After the answer')] },
		'After the answer': { main: [to('Loop')] },
	};
	return workflow;
}

/** The short wait with "When Nobody Answers → Output an Error Item" and the error output on. */
function askShortWithErrorItem(): Workflow {
	const workflow = askWorkflow({ id: IDS.askShortError, path: PATHS.askShortError, waitLimit: 0.5, typePrefix });
	const ask = workflow.nodes[1] as { parameters: Record<string, unknown>; onError?: string };
	ask.parameters.noAnswer = 'error';
	ask.onError = 'continueErrorOutput';
	workflow.nodes.push({ id: randomUUID(), name: 'Nobody answered', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 200], parameters: {} } as Workflow['nodes'][number]);
	workflow.connections = { ...workflow.connections, Ask: { main: [[{ node: 'After the answer', type: 'main', index: 0 }], [{ node: 'Nobody answered', type: 'main', index: 0 }]] } };
	return workflow;
}

/** The appointment example with the keys and the Response Type set by expression, from the posted body (issue 26). */
function byExpressionAppointment(): Workflow {
	const workflow = forE2e(readExample('appointment-confirmation-by-phone.json'), { id: IDS.byExpression, credential: GOOD_CREDENTIAL, typePrefix });
	node(workflow, 'Appointment booked').parameters.path = PATHS.byExpression;
	node(workflow, 'Appointment booked').webhookId = randomUUID();
	Object.assign(node(workflow, 'Call and ask').parameters, {
		message: '=Hello {{ $json.body.name }}, shall we keep your appointment?',
		answerType: '={{ $json.body.kind }}',
		approveKey: '={{ $json.body.approveKey }}',
		declineKey: '={{ $json.body.declineKey }}',
		sayKeys: true,
	});
	return workflow;
}

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
			askShortWithErrorItem(),
			askInLoopWorkflow(),
			askInLoopWorkflow('error'),
			forE2e(readExample('appointment-confirmation-by-phone.json'), { id: IDS.appointment, credential: GOOD_CREDENTIAL, typePrefix }),
			freeTextAppointment(),
			byExpressionAppointment(),
		],
	});
	stack.piopiy.behaviour = caller.behaviour;
	for (const [id, path] of [
		[IDS.ask, PATHS.ask],
		[IDS.askShort, PATHS.askShort],
		[IDS.askShortError, PATHS.askShortError],
		[IDS.askLoop, PATHS.askLoop],
		[IDS.askLoopError, PATHS.askLoopError],
		[IDS.appointment, PATHS.appointment],
		[IDS.freeText, PATHS.freeText],
		[IDS.byExpression, PATHS.byExpression],
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

/**
 * The resume URL of another wait, made as the node makes it (with the credential's token, so its check
 * is valid): for another run of the same node (a new ask ID) or another node of the same execution.
 */
function madeForAnotherWait(url: string, other: { askId?: string; nodeId?: string }): string {
	const made = new URL(url);
	const ids = waitingPathIds(made.pathname);
	if (!ids) throw new Error(`not a waiting URL: ${made.pathname}`);
	const nodeId = other.nodeId ?? ids.nodeId;
	made.pathname = made.pathname.replace(/[^/]+$/, encodeURIComponent(nodeId));
	const question = { ...questionIn(url), nodeId, ...(other.askId ? { askId: other.askId } : {}) };
	const sealed = sealQuestion(question, stack.piopiy.credentials().apiToken as string);
	made.searchParams.set('piopiy_q', sealed.question);
	made.searchParams.set('piopiy_check', sealed.check);
	return made.toString();
}

/** The question record a resume URL carries, as the node sealed it. */
function questionIn(url: string): AskedQuestion {
	return JSON.parse(Buffer.from(new URL(url).searchParams.get('piopiy_q') ?? '', 'base64url').toString('utf8')) as AskedQuestion;
}

/** A body nested `depth` levels deep: refused (413) before it is read. */
function nestedBody(depth: number): IDataObject {
	let value: IDataObject = { digits: '1' };
	for (let level = 0; level < depth; level++) value = { data: value };
	return value;
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
			text: '2',
			call_id: CALL_ID,
			question: { kind: 'input', askId: questionIn(question.url).askId, runIndex: 0, finishKey: '#' },
			decidedBy: 'keys or words',
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
		// The question of another call under this URL's check (sealed with another token).
		const otherCall = new URL(url);
		otherCall.searchParams.set('piopiy_q', sealQuestion({ ...questionIn(url), callId: OTHER_CALL_ID }, 'not the token').question);
		const withCheck = (check: string | string[]) => {
			const made = new URL(url);
			made.searchParams.delete('piopiy_check');
			for (const value of ([] as string[]).concat(check)) made.searchParams.append('piopiy_check', value);
			return made.toString();
		};
		const real = new URL(url).searchParams.get('piopiy_check') as string;
		const forged = [
			await caller.post(withoutSecrets.toString(), { call_id: CALL_ID, digits: '1' }),
			await caller.post(wrongCheck.toString(), { call_id: CALL_ID, digits: '1' }),
			await caller.post(otherCall.toString(), { call_id: OTHER_CALL_ID, digits: '1' }),
			// The right URL, but the input of another call.
			await caller.post(url, { call_id: OTHER_CALL_ID, digits: '1' }),
			// A URL with a valid check, made for another run of this node (a loop asking again).
			await caller.post(madeForAnotherWait(url, { askId: randomUUID() }), { call_id: CALL_ID, digits: '1' }),
			// Malformed checks: one non-ASCII character, the wrong length, empty (issue 26: these threw).
			await caller.post(withCheck(`é${real.slice(1)}`), { call_id: CALL_ID, digits: '1' }),
			await caller.post(withCheck(real.slice(1)), { call_id: CALL_ID, digits: '1' }),
			await caller.post(withCheck(''), { call_id: CALL_ID, digits: '1' }),
			// The right URL, a body too deep to read.
			await caller.post(url, nestedBody(50)),
		];
		// Two checks (n8n reads them as an array), and a body that is not JSON.
		const twoChecks = await caller.post(withCheck([real, real]), { call_id: CALL_ID, digits: '1' });
		const notJson = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'digits=1' });
		expect(twoChecks.status).toBeGreaterThanOrEqual(400);
		expect(twoChecks.status).toBeLessThan(500);
		expect(notJson.status).toBe(415);
		// A URL with a valid check for another node of the execution: n8n finds no waiting node there.
		const otherNode = await caller.post(madeForAnotherWait(url, { nodeId: randomUUID() }), { call_id: CALL_ID, digits: '1' });
		expect(otherNode.status).toBeGreaterThanOrEqual(400);
		expect(forged.map((post) => post.status)).toEqual([401, 401, 401, 409, 409, 401, 401, 401, 413]);
		expect(forged[4].responseText).toContain('earlier question');
		for (const post of forged) {
			for (const secret of secretsOf(url)) expect(post.responseText).not.toContain(secret);
		}
		expect((await stack.storedExecution(executionId)).status).toBe('waiting');

		const answer = await caller.post(url, { call_id: CALL_ID, digits: '1' });
		expect(answer.status).toBe(200);
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
		process.stderr.write(
			`[interactive] n8n ${N8N_VERSION} forged posts → ${forged.map((post) => post.status).join(', ')}; two checks → ${twoChecks.status}; text/plain → ${notJson.status}; another node → ${otherNode.status}; real → ${answer.status}; second → ${again.status}\n`,
		);
	}, 120_000);

	it.each([
		['Output an Item Saying So', IDS.askLoop, PATHS.askLoop],
		['Output an Error Item', IDS.askLoopError, PATHS.askLoopError],
	])('asked again in a loop (When Nobody Answers: %s): the answer to the earlier question is refused (409), each question gets its own answer', async (setting, workflowId, path) => {
		caller.reset(() => undefined);
		const executionId = await start(workflowId, path, { call_id: CALL_ID, questions: ['first', 'second'] });
		await until(executionId, 'waiting');
		const first = onlyQuestion().url;
		expect((await caller.post(first, { call_id: CALL_ID, digits: '1' })).status).toBe(200);
		const deadline = Date.now() + 30_000;
		while (caller.questions.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
		await until(executionId, 'waiting');
		const second = caller.questions[1].url;
		expect(questionIn(second).askId).not.toBe(questionIn(first).askId);

		const late = await caller.post(first, { call_id: CALL_ID, digits: '2' });
		expect(late.status).toBe(409);
		expect(late.responseText).toContain('earlier question');
		expect((await stack.storedExecution(executionId)).status).toBe('waiting');

		expect((await caller.post(second, { call_id: CALL_ID, digits: '2' })).status).toBe(200);
		const stored = await until(executionId, 'success');
		const runs = stored.data.resultData.runData.Ask as Array<{ data: { main: Array<Array<{ json: Record<string, unknown> }>> } }>;
		expect(runs.map((run) => run.data.main[0][0].json.digits)).toEqual(['1', '2']);
		expect(stack.piopiy.requests).toHaveLength(2);
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} loop (${setting}): the first question's answer posted during the second wait → ${late.status}\n`);
	}, 120_000);

	it('nobody answers: after the wait limit the item says so (answered false, outcome noAnswer)', async () => {
		caller.reset(() => undefined);
		const started = Date.now();
		const executionId = await start(IDS.askShort, PATHS.askShort, { call_id: CALL_ID });
		await until(executionId, 'waiting');
		// The same wait with "Output an Error Item", at the same time (no extra wait).
		const withErrorItem = await start(IDS.askShortError, PATHS.askShortError, { call_id: CALL_ID });
		await until(withErrorItem, 'waiting');
		const stored = await until(executionId, 'success', 150_000);
		const storedError = await until(withErrorItem, 'success', 150_000);
		// The error item leaves by the error output, saying so (it kept the ask ID while it waited).
		expect(output(storedError, 'Nobody answered')).toMatchObject({ error: 'Nobody answered within 0.5 minutes (Ask and Wait for Input)' });
		expect(output(storedError, 'After the answer')).toBeUndefined();
		expect(output(stored, 'Ask')).toEqual({
			answered: false,
			outcome: 'noAnswer',
			digits: null,
			speech: null,
			text: null,
			waitedMinutes: 0.5,
			call_id: CALL_ID,
			askId: questionIn(caller.questions[0].url).askId,
			question: { kind: 'input', askId: questionIn(caller.questions[0].url).askId, runIndex: 0, finishKey: '#' },
		});
		expect(output(stored, 'After the answer')).toMatchObject({ outcome: 'noAnswer' });
		expect(stack.piopiy.requests).toHaveLength(2);
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
			question: { kind: 'approval', askId: questionIn(question.url).askId, runIndex: 0, approveKey: '1', declineKey: '2', finishKey: '#' },
			decidedBy: decision === 'approved' ? 'exactly the approve key, no sign of failure' : 'exactly the decline key',
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
			// A URL whose node check is valid, made for another run of this node (a loop asking again):
			// n8n's signature (which covers the node's parameters) or the node refuses it.
			await caller.post(madeForAnotherWait(url, { askId: randomUUID() }), { call_id: callId, digits: '1' }),
		];
		const otherNode = await caller.post(madeForAnotherWait(url, { nodeId: randomUUID() }), { call_id: callId, digits: '1' });
		expect(otherNode.status).toBeGreaterThanOrEqual(400);
		expect(forged.slice(0, 3).map((post) => post.status)).toEqual([401, 401, 409]);
		expect([401, 409]).toContain(forged[3].status);
		process.stderr.write(
			`[interactive] n8n ${N8N_VERSION} call and ask forged posts → ${forged.map((post) => post.status).join(', ')}; another node → ${otherNode.status}\n`,
		);
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
			question: { kind: 'freeText', askId: questionIn(question.url).askId, runIndex: 0, finishKey: '#' },
			decidedBy: 'words or keys',
			response: { call_id: question.callId, ...said },
		});
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} call and ask, free text: posted ${JSON.stringify(said)} → text ${JSON.stringify(text)}\n`);
	}, 120_000);
});

describe(`Call → Call and Ask, keys and Response Type set by expression, in n8n ${N8N_VERSION} (issue 26)`, () => {
	const booking = { name: 'Asha', phone: '+91 98765 43210', approveKey: '9', declineKey: '3' };

	it.each([
		['1', false, 'otherInput'],
		['9', true, 'approved'],
	])('"Press 9" is heard; pressing %s: approved %s (%s), judged against the question asked; the kept answer holds no secret', async (key, approved, decision) => {
		const apiToken = stack.piopiy.credentials().apiToken as string;
		// The caller echoes the resume URL and the token, as a careless platform might.
		caller.reset((question) => ({ call_id: question.callId, digits: key, on_result: { type: 'url', url: question.url }, echo: `Bearer ${apiToken}` }));
		const executionId = await start(IDS.byExpression, PATHS.byExpression, { ...booking, kind: 'approval' });
		const stored = await until(executionId, 'success');
		const question = onlyQuestion();
		expect(stack.piopiy.requests[0].body).toMatchObject({
			pipeline: [{ prompt: { say: 'Hello Asha, shall we keep your appointment? Press 9 to approve, or 3 to decline.' }, input: ['dtmf'] }],
		});
		expect(output(stored, 'Call and ask')).toMatchObject({
			answered: true,
			digits: key,
			approved,
			decision,
			question: { kind: 'approval', approveKey: '9', declineKey: '3' },
		});
		const secrets = [...secretsOf(question.url), apiToken];
		for (const secret of secrets) {
			expect(stored.raw).not.toContain(secret);
			expect(stack.filesContaining(secret)).toEqual([]);
		}
		process.stderr.write(`[interactive] n8n ${N8N_VERSION} keys by expression: "Press 9", pressed ${key} → approved ${String(approved)} (${decision})\n`);
	}, 120_000);

	it('a Free Text question set by expression, answered "1#", is the text "1", never an approval', async () => {
		caller.reset((question) => ({ call_id: question.callId, dtmf: '1#' }));
		const executionId = await start(IDS.byExpression, PATHS.byExpression, { ...booking, kind: 'freeText' });
		const stored = await until(executionId, 'success');
		expect(stack.piopiy.requests[0].body).toMatchObject({ pipeline: [{ input: ['speech', 'dtmf'], prompt: { say: 'Hello Asha, shall we keep your appointment?' } }] });
		const answer = output(stored, 'Call and ask') as Record<string, unknown>;
		expect(answer).toMatchObject({ answered: true, text: '1', question: { kind: 'freeText' } });
		expect(answer).not.toHaveProperty('approved');
	}, 120_000);
});
