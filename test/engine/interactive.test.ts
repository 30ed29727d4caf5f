import type { IDataObject } from 'n8n-workflow';

import { runPiopiyNode } from '../support/engine';
import { CALL_ID, everythingSeen } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';
import { postAnswer, questionIn, resealed, timeOut } from '../support/waiting';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const EXECUTION_ID = '4711';

const ask = (parameters: object = {}) => ({
	resource: 'call',
	operation: 'askAndWait',
	callId: CALL_ID,
	promptType: 'say',
	promptText: 'Press 1 to confirm, 2 to cancel',
	promptLanguage: 'en-IN',
	promptVoiceId: 'anika',
	promptSpeed: 1,
	waitLimit: 2,
	...parameters,
});

const callAndAsk = (parameters: object = {}) => ({
	resource: 'call',
	operation: 'sendAndWait',
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765 43210',
	message: 'Refund 120 euros to order 5521?',
	promptLanguage: 'en-IN',
	promptVoiceId: 'anika',
	...parameters,
});

async function runAsk(parameters: object = {}, items?: IDataObject[]) {
	return await runPiopiyNode({
		parameters: ask(parameters),
		credentials: server.credentials(),
		executionId: EXECUTION_ID,
		...(items ? { items } : {}),
	});
}

/** Ask and Wait with "When Nobody Answers: Output an Error Item", the error output on. */
async function runAskWithErrorItem() {
	return await runPiopiyNode({
		parameters: ask({ noAnswer: 'error' }),
		credentials: server.credentials(),
		executionId: EXECUTION_ID,
		onError: 'continueErrorOutput',
	});
}

/** The on_result URL of the Play and Get Input the node sent. */
function resultUrl(index = 0): URL {
	const body = server.requests[index].body as { pipeline: Array<{ on_result: { url: string } }> };
	return new URL(body.pipeline[0].on_result.url);
}

describe('Call → Ask and Wait for Input', () => {
	test('sends one Play and Get Input whose result goes to this execution, then the execution waits', async () => {
		const before = Date.now();
		const result = await runAsk();
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/voice/pcmo/transfer');
		expect(server.requests[0].violations).toEqual([]);
		expect(server.requests[0].body).toEqual({
			call_id: CALL_ID,
			pipeline: [
				{
					action: 'play_get_input',
					prompt: { type: 'say', say: 'Press 1 to confirm, 2 to cancel', language: 'en-IN', voice_id: 'anika', speed: 1 },
					input: ['dtmf'],
					on_result: { type: 'url', url: expect.any(String) },
				},
			],
		});
		const url = resultUrl();
		// n8n's waiting-webhook URL of this execution, under the node's ID, naming the call asked.
		expect(url.pathname).toBe(`/webhook-waiting/${EXECUTION_ID}/piopiy`);
		expect(url.searchParams.get('piopiy_check')).toMatch(/^[0-9a-f]{64}$/);
		// The question record, sealed: what the answer will be judged against, made once.
		expect(questionIn(url)).toEqual({
			v: 1,
			operation: 'askAndWait',
			kind: 'input',
			approveKey: null,
			declineKey: null,
			finishKey: '#',
			askId: expect.stringMatching(/^[0-9a-f-]{36}$/),
			executionId: EXECUTION_ID,
			nodeId: 'piopiy',
			runIndex: 0,
			callId: CALL_ID,
			agentReview: false,
			waitLimitMs: 120_000,
		});
		// The execution waits, for the wait limit (2 minutes).
		const waitTill = result.run.waitTill as Date;
		expect(waitTill.getTime()).toBeGreaterThanOrEqual(before + 120_000);
		expect(waitTill.getTime()).toBeLessThanOrEqual(Date.now() + 120_000);
		expect(result.run.status).toBe('waiting');
	});

	test('the answer posted to the resume URL is the output: digits, call_id and the body as it came', async () => {
		const waiting = await runAsk();
		const body = { call_id: CALL_ID, dtmf: '1', status: 'completed' };
		const { reply, resumed } = await postAnswer(waiting, resultUrl(), body);
		expect(reply).toEqual({ status: 200, body: { received: true } });
		expect(resumed?.error).toBeUndefined();
		expect(resumed?.items).toEqual([
			{
				json: {
					answered: true,
					outcome: 'answered',
					digits: '1',
					speech: null,
					text: '1',
					call_id: CALL_ID,
					question: { kind: 'input', askId: questionIn(resultUrl()).askId, runIndex: 0, finishKey: '#' },
					decidedBy: 'keys or words',
					response: body,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(resumed?.run.status).toBe('success');
		// The resume sends nothing: the question was asked once.
		expect(server.requests).toHaveLength(1);
	});

	test('a post that echoes the resume URL: the signature and check are in no output', async () => {
		const waiting = await runAsk();
		const url = resultUrl();
		const check = url.searchParams.get('piopiy_check') as string;
		const body = { call_id: CALL_ID, dtmf: '2', on_result: { type: 'url', url: url.toString() } };
		const { resumed } = await postAnswer(waiting, url, body);
		expect(resumed?.items[0].json.digits).toBe('2');
		const response = resumed?.items[0].json.response as { on_result: { url: string } };
		expect(response.on_result.url).toContain('piopiy_check=[redacted]');
		expect(everythingSeen(resumed?.items)).not.toContain(check);
	});

	test('a post that says nothing was entered is no answer, whatever else it holds; the body is kept', async () => {
		const waiting = await runAsk();
		const body = { call_id: CALL_ID, status: 'no_input', digits: '1' };
		const { resumed } = await postAnswer(waiting, resultUrl(), body);
		expect(resumed?.items[0].json).toMatchObject({ answered: false, outcome: 'noAnswer', digits: null, speech: null, text: null, call_id: CALL_ID, response: body });
	});

	test('speech is read as well, from the names Piopiy may use', async () => {
		const waiting = await runAsk({ inputModes: ['dtmf', 'speech'] });
		const { resumed } = await postAnswer(waiting, resultUrl(), { data: { transcript: 'yes please' } });
		expect(resumed?.items[0].json).toMatchObject({ answered: true, digits: null, speech: 'yes please', call_id: CALL_ID });
	});

	test('a post about another call changes nothing: 409, and the execution keeps waiting', async () => {
		const waiting = await runAsk();
		const other = '0f0e0d0c-0b0a-4908-8706-050403020100';
		const { reply, returned, resumed } = await postAnswer(waiting, resultUrl(), { call_id: other, digits: '1' });
		expect(reply.status).toBe(409);
		expect(returned.workflowData).toBeUndefined();
		expect(resumed).toBeUndefined();
	});

	test.each([
		['without the check', (url: URL) => url.searchParams.delete('piopiy_check')],
		['with a wrong check', (url: URL) => url.searchParams.set('piopiy_check', 'f'.repeat(64))],
		['for another execution', (url: URL) => (url.pathname = url.pathname.replace(`/${EXECUTION_ID}/`, '/4712/'))],
		['with the question of another call under the same check', (url: URL) => url.searchParams.set('piopiy_q', resealed(url, 'another token', { callId: '0f0e0d0c-0b0a-4908-8706-050403020100' }).searchParams.get('piopiy_q') as string)],
		['with a check that is not ASCII', (url: URL) => url.searchParams.set('piopiy_check', `é${'f'.repeat(63)}`)],
		['with a check of the wrong length', (url: URL) => url.searchParams.set('piopiy_check', 'f'.repeat(65))],
		['with an empty check', (url: URL) => url.searchParams.set('piopiy_check', '')],
		['without the question', (url: URL) => url.searchParams.delete('piopiy_q')],
	])('a post %s is refused with 401 and the execution keeps waiting', async (_, forge) => {
		const waiting = await runAsk();
		const forged = resultUrl();
		forge(forged);
		const { reply, returned, resumed } = await postAnswer(waiting, forged, { digits: '1' });
		expect(reply).toEqual({ status: 401, body: { error: 'Invalid token' } });
		expect(returned.workflowData).toBeUndefined();
		expect(resumed).toBeUndefined();
	});

	test('the same question asked again in the same execution (a loop) does not take the answer meant for the earlier one', async () => {
		await runAsk();
		const again = await runAsk();
		const [earlier, later] = [resultUrl(0), resultUrl(1)];
		// Same execution, node and call; a new ask ID per wait.
		expect(questionIn(later).callId).toBe(questionIn(earlier).callId);
		expect(questionIn(later).askId).not.toBe(questionIn(earlier).askId);
		const late = await postAnswer(again, earlier, { digits: '1' });
		expect(late.reply).toEqual({ status: 409, body: { error: 'This input answers an earlier question of this node; the execution keeps waiting' } });
		expect(late.resumed).toBeUndefined();
		const own = await postAnswer(again, later, { digits: '2' });
		expect(own.resumed?.items[0].json).toMatchObject({ answered: true, digits: '2' });
	});

	test('when the wait limit passes, the output item says nobody answered', async () => {
		const waiting = await runAsk();
		const { items, error, run } = await timeOut(waiting);
		expect(error).toBeUndefined();
		expect(run.status).toBe('success');
		expect(items).toEqual([
			{
				json: {
					answered: false,
					outcome: 'noAnswer',
					digits: null,
					speech: null,
					text: null,
					waitedMinutes: 2,
					call_id: CALL_ID,
					askId: questionIn(resultUrl()).askId,
					question: { kind: 'input', askId: questionIn(resultUrl()).askId, runIndex: 0, finishKey: '#' },
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(server.requests).toHaveLength(1);
	});

	test('"When Nobody Answers: Output an Error Item" makes the time-out an error item', async () => {
		const waiting = await runAskWithErrorItem();
		const { run } = await timeOut(waiting);
		const outputs = run.data.resultData.runData.Piopiy.at(-1)?.data?.main;
		expect(outputs?.[0]).toEqual([]);
		expect(outputs?.[1]).toEqual([
			expect.objectContaining({ json: { error: 'Nobody answered within 2 minutes (Ask and Wait for Input)' }, pairedItem: expect.objectContaining({ item: 0 }) }),
		]);
	});

	test('with "Output an Error Item" the stored item keeps the ask ID: another wait\'s question gets 409, a forged check 401, the answer to this wait resumes', async () => {
		const waiting = await runAskWithErrorItem();
		const forged = resultUrl();
		forged.searchParams.set('piopiy_check', 'f'.repeat(64));
		expect((await postAnswer(waiting, forged, { digits: '1' })).reply.status).toBe(401);
		const earlier = resealed(resultUrl(), server.credentials().apiToken as string, { askId: '00000000-0000-4000-8000-000000000000' });
		expect((await postAnswer(waiting, earlier, { digits: '1' })).reply.status).toBe(409);
		const { reply, resumed } = await postAnswer(waiting, resultUrl(), { digits: '1' });
		expect(reply.status).toBe(200);
		expect(resumed?.items[0].json).toMatchObject({ answered: true, digits: '1', call_id: CALL_ID });
	});

	test('more than one input item is refused, naming Loop Over Items, and nothing is sent', async () => {
		const { error } = await runAsk({}, [{}, {}]);
		expect(error?.message).toBe('Ask and Wait for Input waits for one answer per run, and it received 2 items: nothing was sent');
		expect(error?.description).toMatch(/Loop Over Items/);
		expect(server.requests).toHaveLength(0);
	});

	test('a bad wait limit is refused before anything is sent', async () => {
		const { error } = await runAsk({ waitLimit: 0 });
		expect(error?.message).toBe('Wait Limit (Minutes) is not valid: received 0');
		expect(server.requests).toHaveLength(0);
	});

	test('with Continue On Fail a failed question is an error item, the execution does not wait, no secret in it', async () => {
		server.behaviour = (request) => ({ status: 400, body: { success: false, error: `bad url ${request.rawBody}` } });
		const { items, run } = await runPiopiyNode({
			parameters: ask(),
			credentials: server.credentials(),
			executionId: EXECUTION_ID,
			onError: 'continueRegularOutput',
		});
		expect(run.waitTill).toBeUndefined();
		expect(run.status).toBe('success');
		expect(items).toHaveLength(1);
		expect(items[0].json).toEqual({ error: expect.stringMatching(/^Piopiy refused the request \(HTTP 400\): bad url/), message: 'refused' });
		expect(JSON.stringify(items)).not.toContain(resultUrl().searchParams.get('piopiy_check') as string);
	});

	test('a failed question does not wait, and the resume token appears in no error', async () => {
		server.behaviour = (request) => ({ status: 400, body: { success: false, error: `bad url ${request.rawBody}` } });
		const { error, run } = await runAsk();
		const check = resultUrl().searchParams.get('piopiy_check') as string;
		expect(run.waitTill).toBeUndefined();
		expect(error?.message).toMatch(/bad url/);
		expect(everythingSeen(error)).not.toContain(check);
		expect(everythingSeen(error)).not.toMatch(/(signature|piopiy_check)=(?!\[redacted\])/);
	});
});

describe('Call → Call and Ask (sendAndWait)', () => {
	async function runCallAndAsk(parameters: object = {}) {
		return await runPiopiyNode({ parameters: callAndAsk(parameters), credentials: server.credentials(), executionId: EXECUTION_ID });
	}

	test('places one PCMO call that speaks the message and the keys, and waits on the signed resume URL', async () => {
		const result = await runCallAndAsk();
		expect(result.error).toBeUndefined();
		expect(server.requests).toHaveLength(1);
		expect(server.requests[0].path).toBe('/voice/pcmo/call');
		expect(server.requests[0].violations).toEqual([]);
		expect(server.requests[0].body).toMatchObject({
			caller_id: '918045678900',
			to_number: '919876543210',
			pipeline: [
				{
					action: 'play_get_input',
					prompt: {
						type: 'say',
						say: 'Refund 120 euros to order 5521? Press 1 to approve, or 2 to decline.',
						language: 'en-IN',
						voice_id: 'anika',
						speed: 1,
					},
					input: ['dtmf'],
					dtmf: { min_digits: 1, max_digits: 1 },
					on_result: { type: 'url', url: expect.any(String) },
				},
			],
		});
		const url = resultUrl();
		expect(url.pathname).toBe(`/webhook-waiting/${EXECUTION_ID}/piopiy`);
		expect(url.searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/);
		expect(result.run.status).toBe('waiting');
		// Before the answer the item already carries the call placed.
		expect(result.items[0].json).toMatchObject({ approved: false, decision: 'noAnswer', call_id: expect.any(String) });
	});

	test.each([
		[{ digits: '1' }, 'approved', true],
		[{ digits: '2' }, 'declined', false],
		[{ digits: '7' }, 'otherInput', false],
	])('the key pressed decides: %j → %s', async (answer, decision, approved) => {
		const waiting = await runCallAndAsk();
		const { resumed } = await postAnswer(waiting, resultUrl(), answer);
		// The post names no call: the call placed before waiting is the item's call_id.
		expect(resumed?.items[0].json).toMatchObject({ approved, decision, answered: true, call_id: waiting.items[0].json.call_id, response: answer });
		expect(waiting.items[0].json.call_id).toEqual(expect.any(String));
		expect(server.placedCalls()).toHaveLength(1);
	});

	test.each([
		['without the check', (url: URL) => url.searchParams.delete('piopiy_check')],
		['with a wrong check', (url: URL) => url.searchParams.set('piopiy_check', 'f'.repeat(64))],
		['for another node', (url: URL) => (url.pathname = url.pathname.replace(/\/piopiy$/, '/another-node'))],
		['for another execution', (url: URL) => (url.pathname = url.pathname.replace(`/${EXECUTION_ID}/`, '/4712/'))],
		['with another question under the same check', (url: URL) => url.searchParams.set('piopiy_q', resealed(url, 'another token', { approveKey: '7' }).searchParams.get('piopiy_q') as string)],
	])('a post %s is refused with 401, the execution keeps waiting (the node checks, not only n8n\'s signature)', async (_, forge) => {
		const waiting = await runCallAndAsk();
		const forged = resultUrl();
		expect(forged.searchParams.get('piopiy_check')).toMatch(/^[0-9a-f]{64}$/);
		forge(forged);
		const { reply, resumed } = await postAnswer(waiting, forged, { digits: '1' });
		expect(reply).toEqual({ status: 401, body: { error: 'Invalid token' } });
		expect(resumed).toBeUndefined();
	});

	test('asked again in the same execution (a loop): the answer to the earlier call and question is refused', async () => {
		await runCallAndAsk();
		const again = await runCallAndAsk();
		const late = await postAnswer(again, resultUrl(0), { digits: '1' });
		expect(late.reply.status).toBe(409);
		expect(late.resumed).toBeUndefined();
		const own = await postAnswer(again, resultUrl(1), { digits: '1' });
		expect(own.resumed?.items[0].json).toMatchObject({ approved: true, decision: 'approved', call_id: again.items[0].json.call_id });
	});

	test('a post naming another call than the one placed changes nothing: 409', async () => {
		const waiting = await runCallAndAsk();
		const { reply, resumed } = await postAnswer(waiting, resultUrl(), { call_id: '0f0e0d0c-0b0a-4908-8706-050403020100', digits: '1' });
		expect(reply.status).toBe(409);
		expect(resumed).toBeUndefined();
	});

	test('nobody answers: approved false, decision noAnswer, the call placed once', async () => {
		const waiting = await runCallAndAsk();
		const { items } = await timeOut(waiting);
		expect(items[0].json).toMatchObject({ approved: false, decision: 'noAnswer', answered: false });
		expect(server.placedCalls()).toHaveLength(1);
	});

	test.each([
		[{ status: 'no_input', result: { value: 1 } }, 'noAnswer', false],
		[{ data: { input: '1' } }, 'otherInput', true],
		[{ value: '1' }, 'otherInput', true],
		[{ dtmf: '12' }, 'otherInput', true],
		[{ status: 'timeout', digits: '1' }, 'noAnswer', false],
		[{ digits: '#' }, 'noAnswer', false],
		[{ status: 'hung_up', dtmf: '1' }, 'callEnded', false],
		[{ success: false, digits: '1' }, 'failed', false],
		[{ digits: 1 }, 'approved', true],
		[{ type: 'dtmf', value: '1' }, 'approved', true],
	])('only the approve key in a field known to carry keys approves: %j → %s', async (body, decision, answered) => {
		const waiting = await runCallAndAsk();
		const { reply, resumed } = await postAnswer(waiting, resultUrl(), body);
		expect(reply.status).toBe(200);
		expect(resumed?.items[0].json).toMatchObject({ approved: decision === 'approved', decision, answered, response: body });
		expect(resumed?.items[0].json.outcome).toBe(answered ? 'answered' : decision);
	});

	test.each([
		[{ approveKey: '#' }, 'Approve Key in item 0 is not valid: received "#"'],
		[{ declineKey: '#' }, 'Decline Key in item 0 is not valid: received "#"'],
		[{ approveKey: '12' }, 'Approve Key in item 0 is not valid: received "12"'],
	])('a key that cannot be a one-key answer is refused before sending: %j', async (keys, message) => {
		const { error } = await runCallAndAsk(keys);
		expect(error?.message).toBe(message);
		expect(error?.description).toMatch(/^Expected one key of the keypad \(0-9 or \*\).*# is the finish key/);
		expect(server.requests).toHaveLength(0);
	});

	test('the same key for approve and decline is refused, nothing sent', async () => {
		const { error } = await runCallAndAsk({ declineKey: '1' });
		expect(error?.message).toBe('Decline Key in item 0 is not valid: received "1"');
		expect(server.requests).toHaveLength(0);
	});
});

describe('issue 26: the answer counts only against the question that was asked', () => {
	const token = () => server.credentials().apiToken as string;
	async function runCallAndAsk(parameters: object, items?: IDataObject[], onError?: 'continueErrorOutput') {
		return await runPiopiyNode({
			parameters: callAndAsk(parameters),
			credentials: server.credentials(),
			executionId: EXECUTION_ID,
			...(items ? { items } : {}),
			...(onError ? { onError } : {}),
		});
	}
	const spoken = (index = 0) => (server.requests[index].body as { pipeline: Array<{ prompt: { say: string } }> }).pipeline[0].prompt.say;

	test('keys set by expression, per item: "Press 9" is heard, then 1 approves nothing and 9 approves', async () => {
		const waiting = await runCallAndAsk({ approveKey: '={{ $json.approveKey }}', declineKey: '={{ $json.declineKey }}' }, [{ approveKey: '9', declineKey: '3' }]);
		expect(spoken()).toBe('Refund 120 euros to order 5521? Press 9 to approve, or 3 to decline.');
		expect(questionIn(resultUrl())).toMatchObject({ kind: 'approval', approveKey: '9', declineKey: '3' });
		const one = await postAnswer(waiting, resultUrl(), { digits: '1' });
		expect(one.resumed?.items[0].json).toMatchObject({ approved: false, decision: 'otherInput', question: { approveKey: '9', declineKey: '3' } });
		const three = await postAnswer(waiting, resultUrl(), { digits: '3' });
		expect(three.resumed?.items[0].json).toMatchObject({ approved: false, decision: 'declined' });
		const nine = await postAnswer(waiting, resultUrl(), { digits: '9' });
		expect(nine.resumed?.items[0].json).toMatchObject({ approved: true, decision: 'approved', decidedBy: 'exactly the approve key, no sign of failure' });
	});

	test('Response Type set by expression: a Free Text question answered "1#" is the text "1", never an approval', async () => {
		const waiting = await runCallAndAsk({ answerType: '={{ $json.kind }}' }, [{ kind: 'freeText' }]);
		expect(questionIn(resultUrl()).kind).toBe('freeText');
		const { resumed } = await postAnswer(waiting, resultUrl(), { digits: '1#' });
		expect(resumed?.items[0].json).toMatchObject({ answered: true, text: '1' });
		expect(resumed?.items[0].json).not.toHaveProperty('approved');
	});

	test('"Output an Error Item" in a loop: the late answer to the earlier question gets 409; this wait\'s answer resumes', async () => {
		await runCallAndAsk({ noAnswer: 'error' }, undefined, 'continueErrorOutput');
		const again = await runCallAndAsk({ noAnswer: 'error' }, undefined, 'continueErrorOutput');
		const late = await postAnswer(again, resultUrl(0), { digits: '1' });
		expect(late.reply).toEqual({ status: 409, body: { error: 'This input answers an earlier question of this node; the execution keeps waiting' } });
		expect(late.resumed).toBeUndefined();
		const own = await postAnswer(again, resultUrl(1), { digits: '1' });
		expect(own.resumed?.items[0].json).toMatchObject({ approved: true, call_id: questionIn(resultUrl(1)).callId ?? expect.any(String) });
	});

	test('a question of the same execution and node, sealed for another ask, gets 409 (the binding is the record, not only the seal)', async () => {
		const waiting = await runCallAndAsk({});
		const other = resealed(resultUrl(), token(), { askId: '00000000-0000-4000-8000-000000000000' });
		expect((await postAnswer(waiting, other, { digits: '1' })).reply.status).toBe(409);
	});

	test.each<[string, unknown, Record<string, unknown> | undefined, number]>([
		['a check that is an array', { digits: '1' }, { piopiy_check: ['f'.repeat(64)] }, 401],
		['a check that is not ASCII', { digits: '1' }, { piopiy_check: `é${'0'.repeat(63)}` }, 401],
		['a body nested 50 deep', nestedBody(50), undefined, 413],
		['a huge body', { digits: '1', padding: 'x'.repeat(100_000) }, undefined, 413],
		['a body that is not a JSON object', 'digits=1', undefined, 415],
		['an array body', [{ digits: '1' }], undefined, 415],
	])('%s: refused (4xx), the wait goes on, and the real answer still resumes it', async (_, body, query, status) => {
		const waiting = await runCallAndAsk({});
		const url = resultUrl();
		const forged = query ? { ...Object.fromEntries(url.searchParams), ...query } : undefined;
		const refused = await postAnswer(waiting, url, body, forged);
		expect(refused.reply.status).toBe(status);
		expect(refused.returned.workflowData).toBeUndefined();
		const real = await postAnswer(waiting, url, { digits: '1' });
		expect(real.resumed?.items[0].json).toMatchObject({ approved: true });
	});

	test('a text/plain post, which n8n hands over as {}, is refused (415), not read as an empty answer', async () => {
		const waiting = await runCallAndAsk({});
		const refused = await postAnswer(waiting, resultUrl(), {}, undefined, { 'content-type': 'text/plain' });
		expect(refused.reply.status).toBe(415);
		expect(refused.returned.workflowData).toBeUndefined();
		const json = await postAnswer(waiting, resultUrl(), { digits: '1' }, undefined, { 'content-type': 'application/json; charset=utf-8' });
		expect(json.resumed?.items[0].json).toMatchObject({ approved: true });
	});

	test('the kept answer holds no signature, check, token or app secret, in any form Piopiy may echo', async () => {
		const waiting = await runCallAndAsk({});
		const url = resultUrl();
		const [signature, check] = [url.searchParams.get('signature') as string, url.searchParams.get('piopiy_check') as string];
		const { apiToken, appSecret } = server.credentials() as { apiToken: string; appSecret: string };
		const body = {
			digits: '1',
			on_result: { type: 'url', url: url.toString() },
			echoed: { headers: { authorization: `Bearer ${apiToken}`, basic: `Basic ${Buffer.from(apiToken).toString('base64')}` } },
			encoded: encodeURIComponent(url.toString()).toLowerCase(),
			secret: appSecret,
			note: `token ${apiToken} and check ${check} and signature ${signature}`,
		};
		const { resumed } = await postAnswer(waiting, url, body);
		expect(resumed?.items[0].json).toMatchObject({ approved: true });
		const seen = everythingSeen(resumed?.items);
		for (const secret of [signature, check, apiToken, appSecret, Buffer.from(apiToken).toString('base64')]) expect(seen).not.toContain(secret);
		expect(seen).not.toMatch(/(signature|piopiy_check)(=|%3d)(?!\[redacted\])/i);
	});
});

function nestedBody(depth: number): IDataObject {
	let value: IDataObject = { digits: '1' };
	for (let level = 0; level < depth; level++) value = { data: value };
	return value;
}
