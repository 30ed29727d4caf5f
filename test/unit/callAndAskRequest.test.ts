import { InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';
import { buildCallAndAskRequest, type ApprovalUi } from '../../nodes/Piopiy/mapping/interactive';

const RESUME_URL = 'https://n8n.example.com/webhook-waiting/7/node?signature=abc';
const ui = (fields: Partial<ApprovalUi> = {}): ApprovalUi => ({
	callerId: '+91 80 4567 8900',
	toNumber: '+91 98765 43210',
	appId: '2222222',
	message: 'When would suit you?',
	promptLanguage: 'en-IN',
	promptVoiceId: 'anika',
	approveKey: '1',
	declineKey: '2',
	...fields,
});
const question = (fields: Partial<ApprovalUi>) => (buildCallAndAskRequest(ui(fields), RESUME_URL).body as { pipeline: object[] }).pipeline[0];

describe('buildCallAndAskRequest: Response Type', () => {
	test('Approval (also when the field is absent): one key, the keys said after the message', () => {
		for (const answerType of [undefined, 'approval']) {
			expect(question({ answerType })).toMatchObject({
				prompt: { say: 'When would suit you? Press 1 to approve, or 2 to decline.' },
				input: ['dtmf'],
				dtmf: { min_digits: 1, max_digits: 1 },
			});
		}
	});

	test('Free Text: speech or keys ended by #, the message as written, the approval keys not checked', () => {
		expect(question({ answerType: 'freeText', approveKey: '', declineKey: '' })).toEqual({
			action: 'play_get_input',
			prompt: { type: 'say', say: 'When would suit you?', language: 'en-IN', voice_id: 'anika', speed: 1 },
			input: ['speech', 'dtmf'],
			dtmf: { min_digits: 1, finish_on_key: '#' },
			on_result: { type: 'url', url: RESUME_URL },
		});
	});

	test('another Response Type is refused, naming the field and the values expected', () => {
		expect(() => question({ answerType: 'customForm' })).toThrow(InvalidFieldError);
		expect(() => question({ answerType: 'customForm' })).toThrow(expect.objectContaining({ field: 'Response Type', expected: '"approval" or "freeText"' }));
	});
});
