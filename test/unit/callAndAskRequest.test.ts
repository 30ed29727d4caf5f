import { InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';
import { questionFrom, type QuestionParameters } from '../../nodes/Piopiy/interactive/question';
import { buildCallAndAskRequest, type ApprovalUi } from '../../nodes/Piopiy/interactive/request';

const RESUME_URL = 'https://n8n.example.com/webhook-waiting/7/node?signature=abc';
const ui: ApprovalUi = {
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765 43210',
	appId: '2222222',
	message: 'When would suit you?',
	promptLanguage: 'en-IN',
	promptVoiceId: 'anika',
};
const PLACE = { askId: 'ask-1', executionId: '7', nodeId: 'node', runIndex: 0, agentReview: false, waitLimitMs: 60_000 };
const parameters = (fields: Partial<QuestionParameters>): QuestionParameters => ({
	operation: 'sendAndWait',
	answerType: undefined,
	approveKey: '1',
	declineKey: '2',
	finishOnKey: undefined,
	callId: undefined,
	...fields,
});
const asked = (fields: Partial<QuestionParameters>) =>
	(buildCallAndAskRequest(ui, questionFrom(parameters(fields), PLACE), RESUME_URL).body as { pipeline: object[] }).pipeline[0];

describe('buildCallAndAskRequest: Response Type, from the question record', () => {
	test('Approval (also when the field is absent): one key, the record\'s keys said after the message', () => {
		for (const answerType of [undefined, 'approval']) {
			expect(asked({ answerType })).toMatchObject({
				prompt: { say: 'When would suit you? Press 1 to approve, or 2 to decline.' },
				input: ['dtmf'],
				dtmf: { min_digits: 1, max_digits: 1 },
			});
		}
		expect(asked({ approveKey: '9', declineKey: '3' })).toMatchObject({ prompt: { say: 'When would suit you? Press 9 to approve, or 3 to decline.' } });
	});

	test('Free Text: speech or keys ended by #, the message as written, the approval keys not checked', () => {
		expect(asked({ answerType: 'freeText', approveKey: '', declineKey: '' })).toEqual({
			action: 'play_get_input',
			prompt: { type: 'say', say: 'When would suit you?', language: 'en-IN', voice_id: 'anika', speed: 1 },
			input: ['speech', 'dtmf'],
			dtmf: { min_digits: 1, finish_on_key: '#' },
			on_result: { type: 'url', url: RESUME_URL },
		});
	});

	test('another Response Type is refused, naming the field and the values expected', () => {
		expect(() => asked({ answerType: 'customForm' })).toThrow(InvalidFieldError);
		expect(() => asked({ answerType: 'customForm' })).toThrow(expect.objectContaining({ field: 'Response Type', expected: '"approval" or "freeText"' }));
	});
});
