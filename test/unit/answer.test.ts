import { answerCheck, answerCheckMatches, waitingPathIds } from '../../nodes/Piopiy/helpers/answerCheck';
import { approvalKeysProblem, decideApproval, isAboutAnotherCall, readCallerAnswer } from '../../nodes/Piopiy/mapping/answer';
import { waitLimitMs } from '../../nodes/Piopiy/mapping/interactive';

describe('readCallerAnswer: the plausible names of what Piopiy posts', () => {
	test.each([
		[{ digits: '1' }, '1'],
		[{ dtmf: '42#' }, '42#'],
		[{ input: 7 }, '7'],
		[{ data: { dtmf: '3' } }, '3'],
		[{ result: { keys: '*9' } }, '*9'],
	])('keys from %j', (body, digits) => {
		expect(readCallerAnswer(body).digits).toBe(digits);
	});

	test.each([
		[{ speech: 'yes' }, 'yes'],
		[{ transcript: ' yes please ' }, 'yes please'],
		[{ data: { text: 'no' } }, 'no'],
	])('speech from %j', (body, speech) => {
		expect(readCallerAnswer(body).speech).toBe(speech);
	});

	test('a spoken answer in `input` is not taken for keys', () => {
		expect(readCallerAnswer({ input: 'yes', speech: 'yes' })).toEqual({ digits: null, speech: 'yes', callId: null });
	});

	test('the call ID, from call_id or the v2 cmiuuid', () => {
		expect(readCallerAnswer({ call_id: 'a' }).callId).toBe('a');
		expect(readCallerAnswer({ cmiuuid: 'b' }).callId).toBe('b');
	});

	test('nothing usable: all null, whatever came', () => {
		for (const body of [undefined, null, 'text', [], {}, { digits: '' }, { digits: null }]) {
			expect(readCallerAnswer(body)).toEqual({ digits: null, speech: null, callId: null });
		}
	});
});

test('isAboutAnotherCall: only a post that names a different call', () => {
	const answer = (callId: string | null) => ({ digits: '1', speech: null, callId });
	expect(isAboutAnotherCall(answer('A-1'), 'a-1')).toBe(false);
	expect(isAboutAnotherCall(answer(null), 'a-1')).toBe(false);
	expect(isAboutAnotherCall(answer('b-2'), 'a-1')).toBe(true);
	expect(isAboutAnotherCall(answer('b-2'), undefined)).toBe(false);
});

describe('decideApproval', () => {
	const answer = (digits: string | null, speech: string | null = null) => ({ digits, speech, callId: null });
	test.each([
		['1', 'approved'],
		['1#', 'approved'],
		['2', 'declined'],
		['9', 'otherInput'],
		['#', 'noAnswer'],
	])('%s → %s', (digits, decision) => {
		expect(decideApproval(answer(digits), '1', '2')).toBe(decision);
	});
	test('speech without keys is other input; nothing at all is no answer', () => {
		expect(decideApproval(answer(null, 'yes'), '1', '2')).toBe('otherInput');
		expect(decideApproval(answer(null), '1', '2')).toBe('noAnswer');
	});
});

test('approvalKeysProblem names the bad key', () => {
	expect(approvalKeysProblem('1', '2')).toBeUndefined();
	expect(approvalKeysProblem('*', '#')).toBeUndefined();
	expect(approvalKeysProblem('12', '2')).toBe('Approve Key');
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

describe('the answer check of both waiting operations', () => {
	const bound = { executionId: '17', nodeId: 'node-1', callId: 'CALL-A', askId: 'ask-1' };
	const check = answerCheck('token', bound);
	test('binds the token, the execution, the node, the call and the wait (ask ID)', () => {
		expect(check).toMatch(/^[0-9a-f]{64}$/);
		expect(answerCheck('token', { ...bound, callId: 'call-a' })).toBe(check);
		for (const other of [
			answerCheck('other', bound),
			answerCheck('token', { ...bound, executionId: '18' }),
			answerCheck('token', { ...bound, nodeId: 'node-2' }),
			answerCheck('token', { ...bound, callId: 'call-b' }),
			answerCheck('token', { ...bound, callId: '' }),
			answerCheck('token', { ...bound, askId: 'ask-2' }),
		]) {
			expect(other).not.toBe(check);
		}
	});
	test('matches only the same text', () => {
		expect(answerCheckMatches(check, check)).toBe(true);
		expect(answerCheckMatches(check.toUpperCase(), check)).toBe(false);
		expect(answerCheckMatches(undefined, check)).toBe(false);
		expect(answerCheckMatches(['x'], check)).toBe(false);
	});
	test('the IDs of a waiting-webhook path', () => {
		expect(waitingPathIds('/webhook-waiting/17/node%201?x=1')).toEqual({ executionId: '17', nodeId: 'node 1' });
		expect(waitingPathIds('/17')).toBeUndefined();
	});
});
