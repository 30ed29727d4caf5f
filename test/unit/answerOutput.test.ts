import {
	answerItem,
	answerText,
	isAgentReview,
	noAnswerItem,
	notPlacedReviewItem,
	operationLabel,
	type AnswerSettings,
} from '../../nodes/Piopiy/mapping/answerOutput';

const approval: AnswerSettings = { operation: 'sendAndWait', answerType: 'approval', approve: '1', decline: '2', agentReview: false };
const freeText: AnswerSettings = { ...approval, answerType: 'freeText' };
const askAndWait: AnswerSettings = { ...approval, operation: 'askAndWait' };
const review = (settings: AnswerSettings): AnswerSettings => ({ ...settings, agentReview: true });
const answer = (digits: string | null, speech: string | null = null) => ({ digits, speech, callId: 'c1', nothingEntered: false });

describe('answerOutput: the items of the waiting operations', () => {
	test('Call and Ask: the approve key approves, the decline key declines, the body is kept', () => {
		expect(answerItem(answer('1'), { digits: '1' }, approval)).toEqual({
			answered: true,
			outcome: 'answered',
			digits: '1',
			speech: null,
			approved: true,
			decision: 'approved',
			call_id: 'c1',
			response: { digits: '1' },
		});
		expect(answerItem(answer('2'), {}, approval)).toMatchObject({ approved: false, decision: 'declined' });
	});

	test('Ask and Wait: no approval fields, whatever Response Type says', () => {
		const json = answerItem(answer('42'), { dtmf: '42' }, { ...askAndWait, answerType: 'freeText' });
		expect(json).toEqual({ answered: true, outcome: 'answered', digits: '42', speech: null, call_id: 'c1', response: { dtmf: '42' } });
	});

	test('Free Text: the words as text, or the keys typed less the closing #; the other fields kept', () => {
		expect(answerItem(answer(null, 'not today, call her on Friday'), { speech: 'x' }, freeText)).toEqual({
			answered: true,
			outcome: 'answered',
			digits: null,
			speech: 'not today, call her on Friday',
			text: 'not today, call her on Friday',
			call_id: 'c1',
			response: { speech: 'x' },
		});
		expect(answerItem(answer('4521#'), {}, freeText).text).toBe('4521');
		expect(answerItem(answer(null), {}, freeText).text).toBeNull();
		expect(answerText(answer('#'))).toBeNull();
	});

	test('a post that says nothing was entered is no answer, for every operation and Response Type', () => {
		const nothing = { digits: null, speech: null, callId: 'c1', nothingEntered: true };
		expect(answerItem(nothing, { status: 'no_input' }, approval)).toMatchObject({ answered: false, outcome: 'noAnswer', approved: false, decision: 'noAnswer' });
		expect(answerItem(nothing, {}, askAndWait)).toMatchObject({ answered: false, outcome: 'noAnswer' });
		expect(answerItem(nothing, {}, freeText)).toMatchObject({ answered: false, outcome: 'noAnswer', text: null });
	});

	test('a time-out says nobody answered, in minutes, as an item or an error item', () => {
		expect(noAnswerItem(approval, false, 5 * 60_000, 'c1', 'ask-1')).toEqual({
			json: { answered: false, outcome: 'noAnswer', digits: null, speech: null, approved: false, decision: 'noAnswer', call_id: 'c1', waitedMinutes: 5, askId: 'ask-1' },
			pairedItem: { item: 0 },
		});
		expect(noAnswerItem(freeText, false, 60_000, 'c1', 'ask-1').json).toEqual({
			answered: false,
			outcome: 'noAnswer',
			digits: null,
			speech: null,
			text: null,
			call_id: 'c1',
			waitedMinutes: 1,
			askId: 'ask-1',
		});
		expect(noAnswerItem(askAndWait, false, 30_000, '', 'ask-1').json).toMatchObject({ call_id: null, waitedMinutes: 0.5 });
		expect(noAnswerItem(askAndWait, true, 60_000, 'c1', 'ask-1').json).toEqual({ error: 'Nobody answered within 1 minute (Ask and Wait for Input)', message: 'noAnswer' });
	});

	test('operation labels are the names the user chose from', () => {
		expect(operationLabel('sendAndWait')).toBe('Call and Ask');
		expect(operationLabel('askAndWait')).toBe('Ask and Wait for Input');
	});
});

describe('answerOutput as the AI Agent\'s human review: chatInput says what happened', () => {
	test('only the human-review node type is a review', () => {
		expect(isAgentReview('n8n-nodes-piopiy.piopiyHitlTool')).toBe(true);
		expect(isAgentReview('n8n-nodes-piopiy.piopiyTool')).toBe(false);
		expect(isAgentReview('n8n-nodes-piopiy.piopiy')).toBe(false);
	});

	test('approve key: approved, no feedback; decline key: declined, no feedback (n8n says "rejected")', () => {
		const approved = answerItem(answer('1'), {}, review(approval));
		expect(approved).toMatchObject({ approved: true, decision: 'approved' });
		expect(approved).not.toHaveProperty('chatInput');
		const declined = answerItem(answer('2'), {}, review(approval));
		expect(declined).toMatchObject({ approved: false, decision: 'declined' });
		expect(declined).not.toHaveProperty('chatInput');
	});

	test('another key or no key: neither approved nor declined, and the model is told which', () => {
		expect(answerItem(answer('5'), {}, review(approval)).chatInput).toBe(
			'The person answered the approval call but pressed 5 (the approve key is 1, the decline key 2): the tool call was neither approved nor declined.',
		);
		expect(answerItem({ ...answer(null), nothingEntered: true }, {}, review(approval)).chatInput).toMatch(/pressed no key/);
		// A post of a shape the node cannot read is not a key pressed, nor said to be one.
		expect(answerItem(answer(null), { pressedKey: 1 }, review(approval)).chatInput).toMatch(/could not read/);
	});

	test('Free Text: the words go to the model as the reviewer\'s feedback; they never approve', () => {
		const json = answerItem(answer(null, 'not today, call her on Friday'), {}, review(freeText));
		expect(json).toMatchObject({ approved: false, text: 'not today, call her on Friday', chatInput: 'not today, call her on Friday' });
		expect(answerItem(answer(null), {}, review(freeText)).chatInput).toMatch(/said nothing/);
	});

	test('a time-out: nobody answered, said to the model, as an item and as an error item', () => {
		const said = 'Nobody answered within 5 minutes: nobody approved or declined this tool call (the phone call to ask for approval went unanswered).';
		expect(noAnswerItem(review(approval), false, 5 * 60_000, 'c1', 'ask-1').json).toMatchObject({ approved: false, decision: 'noAnswer', chatInput: said });
		expect(noAnswerItem(review(approval), true, 5 * 60_000, 'c1', 'ask-1').json).toMatchObject({ message: 'noAnswer', approved: false, chatInput: said });
	});

	test('a call not placed: said so, with why; a call whose outcome is unknown is not called "not placed"', () => {
		expect(notPlacedReviewItem('To Number is not valid. Nothing was sent.').json).toEqual({
			answered: false,
			outcome: 'notPlaced',
			approved: false,
			decision: 'notPlaced',
			call_id: null,
			error: 'To Number is not valid. Nothing was sent.',
			chatInput: 'The approval call was not placed: To Number is not valid. Nothing was sent. Nobody was asked; nobody approved or declined this tool call.',
		});
		expect(notPlacedReviewItem('Piopiy did not answer. The call may have been placed.').json.chatInput).toMatch(/^The approval call failed and no answer can come back/);
	});
});
