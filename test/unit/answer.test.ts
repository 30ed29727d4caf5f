import { DECISION_TABLES, decide, judgeAnswerPost, postBodyProblem, type Decision, type KeysFact, type PostFacts, type StatusClass } from '../../nodes/Piopiy/interactive/post';
import { answerItem } from '../../nodes/Piopiy/interactive/items';
import { approvalKeysProblem, parseQuestion, questionFrom, type Question } from '../../nodes/Piopiy/interactive/question';
import { openSealedQuestion, sealQuestion, waitingPathIds } from '../../nodes/Piopiy/interactive/seal';
import { waitLimitMs } from '../../nodes/Piopiy/interactive/request';

const PLACE = { askId: 'ask-1', executionId: '17', nodeId: 'node-1', runIndex: 0, agentReview: false, waitLimitMs: 300_000 };
const PARAMETERS = { operation: 'sendAndWait', answerType: 'approval', approveKey: '1', declineKey: '2', finishOnKey: undefined, callId: undefined };
const APPROVAL = questionFrom(PARAMETERS, PLACE);
const INPUT = questionFrom({ ...PARAMETERS, operation: 'askAndWait', callId: 'c-1' }, PLACE);
const PLACED = 'c-1';

/** What the item says for a post: the decision, or the refusal's HTTP status; the item's digits and speech. */
function outcomeOf(body: unknown, question: Question = APPROVAL) {
	const judgement = judgeAnswerPost(body, question, PLACED);
	if (!judgement.resumes) return { decision: `refused ${judgement.status}`, digits: null, speech: null };
	const item = answerItem(judgement, question, PLACED, {});
	return { decision: judgement.decision, digits: item.digits, speech: item.speech };
}

/**
 * The table of post shapes and what each comes to, for Call and Ask with Approve Key 1 and Decline
 * Key 2: only the approve key, in a field known to carry keys, in a post with no sign of failure,
 * approves. docs/interactive-calls.md has the same table for users.
 */
describe('judgeAnswerPost: what a post comes to (Approval, keys 1 and 2)', () => {
	test.each<[string, unknown, string | null, string | null, Decision | `refused ${number}`]>([
		// The keys, from fields known to carry them, at the top, under data or under result.
		['digits', { digits: '1' }, '1', null, 'approved'],
		['dtmf', { dtmf: '1' }, '1', null, 'approved'],
		['dtmf_input', { dtmf_input: '2' }, '2', null, 'declined'],
		['keys under result', { result: { keys: '1' } }, '1', null, 'approved'],
		['pressed under data', { data: { pressed: '2' } }, '2', null, 'declined'],
		['a key and the finish key', { dtmf: '1#' }, '1#', null, 'approved'],
		['spaces around the key', { digits: ' 1 ' }, '1', null, 'approved'],
		['another key', { digits: '9' }, '9', null, 'otherInput'],
		['the star key', { digits: '*' }, '*', null, 'otherInput'],
		// One key was asked for.
		['two keys starting with the approve key', { dtmf: '12' }, '12', null, 'otherInput'],
		['the approve key twice', { digits: '11' }, '11', null, 'otherInput'],
		['two keys and the finish key', { digits: '12#' }, '12#', null, 'otherInput'],
		// The finish key alone: nothing pressed.
		['only the finish key', { digits: '#' }, null, null, 'noAnswer'],
		// Numbers: a whole number is read as its digits.
		['a number', { digits: 1 }, '1', null, 'approved'],
		['the number 12', { digits: 12 }, '12', null, 'otherInput'],
		['a negative number', { digits: -1 }, null, null, 'otherInput'],
		['a fraction', { digits: 1.5 }, null, null, 'otherInput'],
		// Generic names: keys only when the post says its input is keypad input.
		['value', { value: '1' }, null, null, 'otherInput'],
		['input under data', { data: { input: '1' } }, null, null, 'otherInput'],
		['value under result, status no_input', { status: 'no_input', result: { value: 1 } }, null, null, 'noAnswer'],
		['value of a dtmf input', { type: 'dtmf', value: '1' }, '1', null, 'approved'],
		['input of a DTMF input_type under data', { data: { input_type: 'DTMF', input: 2 } }, '2', null, 'declined'],
		['input of a speech input', { type: 'speech', input: '1' }, null, null, 'otherInput'],
		// A status that says nothing was entered never approves, whatever else the post holds.
		['no_input with digits', { status: 'no_input', digits: '1' }, null, null, 'noAnswer'],
		['timeout with dtmf', { status: 'timeout', dtmf: '1' }, null, null, 'noAnswer'],
		['noinput under data', { data: { status: 'noinput', digits: '1' } }, null, null, 'noAnswer'],
		['No-Input', { status: 'No-Input', digits: '1' }, null, null, 'noAnswer'],
		['failed result', { result: 'failed', digits: '1' }, null, null, 'failed'],
		['a completed status is no objection', { status: 'completed', digits: '1' }, '1', null, 'approved'],
		// Speech: other input for an approval, kept as speech.
		['speech only', { speech: 'yes' }, null, 'yes', 'otherInput'],
		['speech saying the key', { transcript: '1' }, null, '1', 'otherInput'],
		['speech and the approve key', { speech: 'yes', digits: '1' }, '1', 'yes', 'approved'],
		// Unknown shapes: other input when something came, no answer when nothing did.
		['an unknown field', { choice: '1' }, null, null, 'otherInput'],
		['keys as an array', { digits: ['1'] }, null, null, 'otherInput'],
		['keys as an object', { digits: { value: '1' } }, null, null, 'otherInput'],
		['keys nested too deep', { data: { result: { digits: '1' } } }, null, null, 'otherInput'],
		['an empty object', {}, null, null, 'noAnswer'],
		['only the call', { call_id: 'c-1' }, null, null, 'noAnswer'],
		['empty digits', { digits: '' }, null, null, 'noAnswer'],
		['null digits', { digits: null }, null, null, 'noAnswer'],
		// Not a JSON object: refused, the wait goes on.
		['an array body', [{ digits: '1' }], null, null, 'refused 415'],
		['a text body', '1', null, null, 'refused 415'],
		['null', null, null, null, 'refused 415'],
		['nothing', undefined, null, null, 'refused 415'],
		// Issue 26: every status the node does not count as success means no approval, wherever it sits.
		['hung_up with the approve key', { status: 'hung_up', dtmf: '1' }, null, null, 'callEnded'],
		['busy', { status: 'busy', digits: '1' }, null, null, 'callEnded'],
		['no_answer', { status: 'no_answer', digits: '1' }, null, null, 'callEnded'],
		['hangup as the event', { event: 'hangup', digits: '1' }, null, null, 'callEnded'],
		['max_retries_exceeded', { status: 'max_retries_exceeded', digits: '1' }, null, null, 'failed'],
		['invalid_input', { status: 'invalid_input', digits: '1' }, null, null, 'failed'],
		['silence', { status: 'silence', digits: '1' }, null, null, 'noAnswer'],
		['a status nested as a code', { status: { code: 'no_input' }, digits: '1' }, null, null, 'noAnswer'],
		['a status deep inside', { digits: '1', data: { call: { state: 'hangup' } } }, null, null, 'callEnded'],
		['success: false', { success: false, digits: '1' }, null, null, 'failed'],
		['error: true', { error: true, digits: '1' }, null, null, 'failed'],
		['an error text', { error: 'media timeout', digits: '1' }, null, null, 'failed'],
		['failed alone', { status: 'failed' }, null, null, 'failed'],
		['a status the node does not know', { status: 'queued', digits: '1' }, null, null, 'unknownStatus'],
		['a numeric status', { status: 3, digits: '1' }, null, null, 'unknownStatus'],
		['two statuses, one a failure', { status: 'completed', data: { status: 'failed' }, digits: '1' }, null, null, 'failed'],
		['success: true is no objection', { success: true, digits: '1' }, '1', null, 'approved'],
		['error: null is no objection', { error: null, digits: '1' }, '1', null, 'approved'],
		// The keys must agree; a plain-text result is an answer, not a status and not a key.
		['key fields that disagree', { digits: '1', dtmf: '2' }, null, null, 'otherInput'],
		['key fields that agree', { digits: '1', dtmf: '1#' }, '1', null, 'approved'],
		['a plain-text result', { result: '4521' }, null, null, 'otherInput'],
		['a plain-text result of the approve key', { result: '1' }, null, null, 'otherInput'],
		// Piopiy's own words are not the person's.
		['Piopiy\'s status text', { status: 'success', text: 'Input collected', digits: '1' }, '1', null, 'approved'],
		['Piopiy\'s message', { message: 'Input collected', digits: '2' }, '2', null, 'declined'],
		// The call it names.
		['the call asked', { call_id: 'C-1', digits: '1' }, '1', null, 'approved'],
		['another call', { call_id: 'c-2', digits: '1' }, null, null, 'refused 409'],
		['the call asked and another', { call_id: 'c-1', data: { call_id: 'c-2' }, digits: '1' }, null, null, 'refused 409'],
		// Too deep or too big: refused before it is read.
		['a deep body', nested(50, { digits: '1' }), null, null, 'refused 413'],
		['a huge body', { digits: '1', padding: 'x'.repeat(70_000) }, null, null, 'refused 413'],
	])('%s: %j → digits %j, speech %j, %s', (_, body, digits, speech, decision) => {
		expect(outcomeOf(body)).toEqual({ decision, digits, speech });
	});

	test('only the approve key approves, whichever key it is', () => {
		const star = questionFrom({ ...PARAMETERS, approveKey: '*', declineKey: '0' }, PLACE);
		expect(outcomeOf({ digits: '*' }, star).decision).toBe('approved');
		expect(outcomeOf({ digits: '0' }, star).decision).toBe('declined');
		expect(outcomeOf({ digits: '1' }, star).decision).toBe('otherInput');
	});

	test('Ask and Wait: a plain-text result is the answer; a failure status is not', () => {
		expect(judgeAnswerPost({ result: '4521' }, INPUT)).toMatchObject({ resumes: true, decision: 'answered', outcome: 'answered' });
		const item = answerItem(judgeAnswerPost({ result: '4521' }, INPUT) as never, INPUT, 'c-1', {});
		expect(item).toMatchObject({ answered: true, text: '4521', digits: null });
		expect(judgeAnswerPost({ status: 'hung_up', digits: '1' }, INPUT)).toMatchObject({ resumes: true, outcome: 'callEnded' });
		// The call asked is in the record itself.
		expect(judgeAnswerPost({ call_id: 'c-2', digits: '1' }, INPUT)).toMatchObject({ resumes: false, status: 409 });
	});

	test('a post naming a call when the reply named none is judged by its keys (the sealed URL binds it); another call is refused', () => {
		expect(judgeAnswerPost({ call_id: 'c-1', digits: '1' }, APPROVAL, null)).toMatchObject({ resumes: true, decision: 'approved' });
		expect(judgeAnswerPost({ call_id: 'c-1', status: 'hung_up', digits: '1' }, APPROVAL, null)).toMatchObject({ resumes: true, approved: false, outcome: 'callEnded' });
		expect(judgeAnswerPost({ digits: '1' }, APPROVAL, null)).toMatchObject({ resumes: true, decision: 'approved' });
		expect(judgeAnswerPost({ call_id: 'c-1', digits: '1' }, APPROVAL, 'c-2')).toMatchObject({ resumes: false, status: 409 });
	});

	test('each result names the rule that decided it', () => {
		expect(judgeAnswerPost({ digits: '1' }, APPROVAL, PLACED)).toMatchObject({ rule: 'exactly the approve key, no sign of failure' });
		expect(judgeAnswerPost({ status: 'busy', digits: '1' }, APPROVAL, PLACED)).toMatchObject({ rule: 'a status says the call ended' });
	});
});

function nested(depth: number, inner: object): object {
	let value: object = inner;
	for (let level = 0; level < depth; level++) value = { data: value };
	return value;
}

describe('the decision tables, over every combination of facts', () => {
	const keysFacts: KeysFact[] = ['none', 'finishOnly', 'one', 'several', 'conflicting'];
	const classes: StatusClass[] = ['success', 'nothingEntered', 'callEnded', 'failed', 'unknown'];
	const calls: Array<PostFacts['call']> = ['absent', 'same', 'other', 'unchecked'];
	const pressedFor = (keys: KeysFact): Array<string | null> => (keys === 'one' ? ['1', '2', '5'] : keys === 'several' ? ['12'] : keys === 'finishOnly' ? [''] : [null]);

	function* everyFacts(): Generator<PostFacts> {
		for (const keys of keysFacts)
			for (const pressed of pressedFor(keys))
				for (let mask = 0; mask < 1 << classes.length; mask++)
					for (const call of calls)
						for (const speech of [null, 'yes'])
							for (const plainText of [null, '4521'])
								for (const content of [false, true]) {
									const statuses = classes.filter((_, bit) => mask & (1 << bit)).map((says) => ({ status: says, says }));
									yield { keys, digits: pressed, pressed, speech, statuses, callId: call === 'absent' ? null : 'c', call, plainText, content };
								}
	}

	test('only one row of one table approves, and only exactly the approve key with no sign of failure', () => {
		const approving = Object.entries(DECISION_TABLES).flatMap(([kind, table]) => table.rows.filter((row) => row.decision === 'approved').map(() => kind));
		expect(approving).toEqual(['approval']);
		for (const table of Object.values(DECISION_TABLES)) expect(table.otherwise.decision).not.toBe('approved');
		let combinations = 0;
		let approvals = 0;
		for (const facts of everyFacts()) {
			for (const question of [APPROVAL, INPUT, questionFrom({ ...PARAMETERS, answerType: 'freeText' }, PLACE)]) {
				combinations += 1;
				const { decision, rule } = decide(facts, question);
				expect(rule).toEqual(expect.any(String));
				const shouldApprove =
					question.kind === 'approval' &&
					facts.keys === 'one' &&
					facts.pressed === '1' &&
					facts.statuses.every(({ says }) => says === 'success') &&
					facts.call !== 'other';
				expect({ facts, kind: question.kind, approved: decision === 'approved' }).toEqual({ facts, kind: question.kind, approved: shouldApprove });
				if (decision === 'approved') approvals += 1;
				// A post about another call never resumes; one whose call cannot be compared (the reply named
				// none) is judged by the rest, as the sealed URL binds it to the question.
				if (facts.call === 'other') expect(decision).toBe('otherCall');
				else expect(decision).not.toBe('otherCall');
			}
		}
		expect(combinations).toBeGreaterThan(10_000);
		expect(approvals).toBeGreaterThan(0);
	});
});

test('postBodyProblem bounds a body without recursion, and never throws', () => {
	expect(postBodyProblem({ digits: '1' })).toBeUndefined();
	expect(postBodyProblem(nested(100_000, {}))?.status).toBe(413);
	expect(postBodyProblem({ many: Array.from({ length: 5000 }, () => 1) })?.status).toBe(413);
	expect(postBodyProblem(Buffer.from('{}'))?.status).toBe(415);
});

test('approvalKeysProblem names the bad key: one key each, not the finish key #, not the same', () => {
	expect(approvalKeysProblem('1', '2')).toBeUndefined();
	expect(approvalKeysProblem('*', '0')).toBeUndefined();
	expect(approvalKeysProblem('#', '2')).toBe('Approve Key');
	expect(approvalKeysProblem('1', '#')).toBe('Decline Key');
	expect(approvalKeysProblem('12', '2')).toBe('Approve Key');
	expect(approvalKeysProblem(1, '2')).toBe('Approve Key');
	expect(approvalKeysProblem('1', '')).toBe('Decline Key');
	expect(approvalKeysProblem('1', '1')).toBe('Decline Key');
});

test('waitLimitMs: minutes to milliseconds, at least half a minute', () => {
	expect(waitLimitMs(5)).toBe(300_000);
	expect(waitLimitMs(0.5)).toBe(30_000);
	expect(() => waitLimitMs(0.2)).toThrow(/Wait Limit/);
	expect(waitLimitMs('5')).toBe(300_000);
	expect(() => waitLimitMs('soon')).toThrow(/Wait Limit/);
});

describe('the question record', () => {
	test('made from the parameters, never from defaults: a Response Type or key that is not valid is refused', () => {
		expect(APPROVAL).toMatchObject({ v: 1, kind: 'approval', approveKey: '1', declineKey: '2', finishKey: '#', callId: null });
		expect(INPUT).toMatchObject({ kind: 'input', approveKey: null, callId: 'c-1' });
		expect(() => questionFrom({ ...PARAMETERS, answerType: 'form' }, PLACE)).toThrow(/Response Type/);
		expect(() => questionFrom({ ...PARAMETERS, approveKey: undefined }, PLACE)).toThrow(/Approve Key/);
	});

	test('read back only as this node makes it', () => {
		expect(parseQuestion(JSON.parse(JSON.stringify(APPROVAL)))).toEqual(APPROVAL);
		for (const broken of [{ ...APPROVAL, v: 2 }, { ...APPROVAL, kind: 'input' }, { ...APPROVAL, approveKey: null }, { ...APPROVAL, approveKey: '12' }, { ...APPROVAL, askId: '' }, [], null, 'x']) {
			expect(parseQuestion(broken)).toBeUndefined();
		}
	});
});

describe('the seal of the question in the resume URL', () => {
	const where = { executionId: '17', nodeId: 'node-1' };
	const sealed = sealQuestion(APPROVAL, 'token');
	const open = (question: unknown, check: unknown, at = where, token = 'token') => openSealedQuestion({ question, check }, at, token);

	test('opens with the token, for the execution and node it was made for', () => {
		expect(sealed.check).toMatch(/^[0-9a-f]{64}$/);
		expect(open(sealed.question, sealed.check)).toEqual(APPROVAL);
		expect(open(sealed.question, sealed.check, where, 'other')).toBeUndefined();
		expect(open(sealed.question, sealed.check, { ...where, executionId: '18' })).toBeUndefined();
		expect(open(sealed.question, sealed.check, { ...where, nodeId: 'node-2' })).toBeUndefined();
		// Another question under this check: refused.
		expect(open(sealQuestion({ ...APPROVAL, approveKey: '3' }, 'other').question, sealed.check)).toBeUndefined();
	});

	test.each([
		['a non-ASCII check', `é${'f'.repeat(63)}`],
		['a check of the wrong length', 'f'.repeat(63)],
		['an upper-case check', ''],
		['an array', ['f'.repeat(64)]],
		['an empty check', ''],
		['no check', undefined],
		['an object', { length: 64 }],
	])('%s is refused before anything is computed, without throwing', (_, check) => {
		const presented = check === '' && _ === 'an upper-case check' ? sealed.check.toUpperCase() : check;
		expect(open(sealed.question, presented)).toBeUndefined();
	});

	test('a record that is not the sealed one, or not text, is refused', () => {
		expect(open(`${sealed.question}x`, sealed.check)).toBeUndefined();
		expect(open('é', sealed.check)).toBeUndefined();
		expect(open('a'.repeat(5000), sealed.check)).toBeUndefined();
		expect(open([sealed.question], sealed.check)).toBeUndefined();
	});

	test('the IDs of a waiting-webhook path', () => {
		expect(waitingPathIds('/webhook-waiting/17/node%201?x=1')).toEqual({ executionId: '17', nodeId: 'node 1' });
		expect(waitingPathIds('/17')).toBeUndefined();
	});
});
