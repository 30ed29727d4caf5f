import { answerItem, noAnswerItem, operationLabel } from '../../nodes/Piopiy/mapping/answerOutput';

const keys = { approve: '1', decline: '2' };
const answer = (digits: string | null, speech: string | null = null) => ({ digits, speech, callId: 'c1' });

describe('answerOutput: the items of the waiting operations', () => {
	test('Call and Ask: the approve key approves, the decline key declines, the body is kept', () => {
		expect(answerItem('sendAndWait', answer('1'), { digits: '1' }, keys)).toEqual({
			answered: true,
			outcome: 'answered',
			digits: '1',
			speech: null,
			approved: true,
			decision: 'approved',
			call_id: 'c1',
			response: { digits: '1' },
		});
		expect(answerItem('sendAndWait', answer('2'), {}, keys)).toMatchObject({ approved: false, decision: 'declined' });
	});

	test('Ask and Wait: no approval fields', () => {
		const json = answerItem('askAndWait', answer('42'), { dtmf: '42' }, keys);
		expect(json).toEqual({ answered: true, outcome: 'answered', digits: '42', speech: null, call_id: 'c1', response: { dtmf: '42' } });
	});

	test('a time-out says nobody answered, in minutes, as an item or an error item', () => {
		expect(noAnswerItem('sendAndWait', false, 5 * 60_000, 'c1')).toEqual({
			json: { answered: false, outcome: 'noAnswer', digits: null, speech: null, approved: false, decision: 'noAnswer', call_id: 'c1', waitedMinutes: 5 },
			pairedItem: { item: 0 },
		});
		expect(noAnswerItem('askAndWait', false, 30_000, '').json).toMatchObject({ call_id: null, waitedMinutes: 0.5 });
		expect(noAnswerItem('askAndWait', true, 60_000, 'c1').json).toEqual({ error: 'Nobody answered within 1 minute (Ask and Wait for Input)', message: 'noAnswer' });
	});

	test('operation labels are the names the user chose from', () => {
		expect(operationLabel('sendAndWait')).toBe('Call and Ask');
		expect(operationLabel('askAndWait')).toBe('Ask and Wait for Input');
	});
});
