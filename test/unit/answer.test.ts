import { answerCheck, answerCheckMatches, waitingPathIds } from '../../nodes/Piopiy/helpers/answerCheck';
import { approvalKeysProblem, decideApproval, isAboutAnotherCall, readCallerAnswer, type CallerAnswer } from '../../nodes/Piopiy/mapping/answer';
import { waitLimitMs } from '../../nodes/Piopiy/mapping/interactive';

/**
 * The answer parser and the approval decision over many post shapes, with Approve Key 1 and Decline
 * Key 2: only a field known to carry keys, holding exactly the approve key, approves.
 */
describe('readCallerAnswer and decideApproval: what a post comes to', () => {
	test.each<[string, unknown, string | null, string | null, string]>([
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
		['only the finish key', { digits: '#' }, '#', null, 'noAnswer'],
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
		['failed result', { result: 'failed', digits: '1' }, null, null, 'noAnswer'],
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
		['an array body', [{ digits: '1' }], null, null, 'otherInput'],
		['a text body', '1', null, null, 'otherInput'],
		['an empty object', {}, null, null, 'noAnswer'],
		['only the call', { call_id: 'c-1' }, null, null, 'noAnswer'],
		['empty digits', { digits: '' }, null, null, 'noAnswer'],
		['null digits', { digits: null }, null, null, 'noAnswer'],
		['null', null, null, null, 'noAnswer'],
		['nothing', undefined, null, null, 'noAnswer'],
	])('%s: %j → digits %j, speech %j, %s', (_, body, digits, speech, decision) => {
		const answer = readCallerAnswer(body);
		expect({ digits: answer.digits, speech: answer.speech }).toEqual({ digits, speech });
		expect(decideApproval(answer, '1', '2')).toBe(decision);
	});

	test('only the approve key approves, whichever key it is', () => {
		expect(decideApproval(readCallerAnswer({ digits: '*' }), '*', '0')).toBe('approved');
		expect(decideApproval(readCallerAnswer({ digits: '0' }), '*', '0')).toBe('declined');
		expect(decideApproval(readCallerAnswer({ digits: '1' }), '*', '0')).toBe('otherInput');
	});

	test('the call ID, from call_id or the v2 cmiuuid, even when nothing was entered', () => {
		expect(readCallerAnswer({ call_id: 'a' }).callId).toBe('a');
		expect(readCallerAnswer({ data: { cmiuuid: 'b' } }).callId).toBe('b');
		expect(readCallerAnswer({ status: 'timeout', call_id: 'c' })).toEqual({ digits: null, speech: null, callId: 'c', nothingEntered: true });
	});
});

test('isAboutAnotherCall: only a post that names a different call', () => {
	const answer = (callId: string | null): CallerAnswer => ({ digits: '1', speech: null, callId, nothingEntered: false });
	expect(isAboutAnotherCall(answer('A-1'), 'a-1')).toBe(false);
	expect(isAboutAnotherCall(answer(null), 'a-1')).toBe(false);
	expect(isAboutAnotherCall(answer('b-2'), 'a-1')).toBe(true);
	expect(isAboutAnotherCall(answer('b-2'), undefined)).toBe(false);
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
