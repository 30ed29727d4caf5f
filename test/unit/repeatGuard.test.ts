import {
	callIdentity,
	executionRetryRefusal,
	retryMayGoAhead,
	retryOnFailRefusal,
	toolRepeatRefusal,
} from '../../nodes/Piopiy/helpers/repeatGuard';

describe('callIdentity: who a request rings, and with what', () => {
	const call = { caller_id: '918045678900', to_number: '919876543210', agent_id: 'a', variables: { name: 'Asha' } };

	test('the same number and agent are the same call, whatever the variables or options', () => {
		expect(callIdentity('/voice/ai/call', call)).toBe(
			callIdentity('/voice/ai/call', { ...call, variables: { name: 'ASHA' }, options: { record: true } }),
		);
	});

	test.each([
		['another number', { to_number: '919876543211' }],
		['another agent', { agent_id: 'b' }],
		['a pipeline', { pipeline: [{ action: 'hangup' }] }],
		['a flow', { flow_id: 'f' }],
	])('%s is another call', (_name, change) => {
		expect(callIdentity('/voice/ai/call', { ...call, ...change })).not.toBe(callIdentity('/voice/ai/call', call));
	});

	test('another endpoint is another call, and the phone number is not kept in clear', () => {
		expect(callIdentity('/voice/pcmo/call', call)).not.toBe(callIdentity('/voice/ai/call', call));
		expect(callIdentity('/voice/ai/call', call)).toMatch(/^[0-9a-f]{32}$/);
	});
});

describe('retryMayGoAhead: n8n\'s Retry runs a call run again only when it certainly placed nothing', () => {
	test.each([
		['the run stopped having placed or maybe placed calls', { runIndex: 0, acted: true, summary: 's' }, 0, true, false],
		['the run stopped before it sent anything that could act', { runIndex: 0, acted: false }, 0, true, true],
		['the run ended mid-send without updating its memory (cancelled, crashed)', { runIndex: 0, acted: true }, 0, true, false],
		['no memory, but n8n kept the run\'s entry (a crash n8n recorded)', undefined, 0, true, false],
		['the memory is of an earlier run in a loop, and n8n kept this one\'s entry', { runIndex: 0, acted: false }, 1, true, false],
		['the node never ran in the failed execution (the failure was upstream)', undefined, 0, false, true],
	] as const)('%s', (_case, memory, runIndex, ranBefore, expected) => {
		expect(retryMayGoAhead(memory, runIndex, ranBefore)).toBe(expected);
	});
});

describe('the refusals say what is known', () => {
	test('Retry On Fail names what repeating would do', () => {
		expect(retryOnFailRefusal('placesCall').message).toBe('"Retry On Fail" is on, and it would place calls twice: nothing was sent');
		expect(retryOnFailRefusal('changesCall').message).toBe('"Retry On Fail" is on, and it would change live calls twice: nothing was sent');
	});

	test('Retry of an execution: "may have", with the stopped run\'s counts', () => {
		const summary = '2 calls placed, 0 with unknown outcome, 1 refused, 0 not sent (of 3 items)';
		const { message, description } = executionRetryRefusal('placesCall', { runIndex: 0, acted: true, summary }, 0);
		expect(message).toBe('This node may have placed calls in the execution being retried: nothing was sent');
		expect(description).toContain('stopped after 2 calls placed, 0 with unknown outcome, 1 refused, 0 not sent (of 3 items).');
	});

	test('Retry of an execution whose run ended without its own record: "may have"', () => {
		const mid = /^In that execution this node was sending its items when its run ended without its own record/;
		expect(executionRetryRefusal('placesCall', undefined, 0).description).toMatch(mid);
		expect(executionRetryRefusal('placesCall', { runIndex: 0, acted: true }, 0).description).toMatch(mid);
	});

	test('Retry of a later run in a loop than the one remembered: says this run left no record, not the earlier run\'s counts', () => {
		const earlier = { runIndex: 1, acted: true, summary: '2 calls placed, 0 with unknown outcome, 0 refused, 0 not sent (of 2 items)' };
		const { description } = executionRetryRefusal('placesCall', earlier, 2);
		expect(description).toMatch(/^This node runs more than once in that execution \(a loop, run 3\), and n8n kept no record of this run/);
		expect(description).toContain('Retry would send this run\'s input items again.');
		expect(description).not.toContain('2 calls placed');
	});

	test('a repeated tool call: the model is told it was done, with the id when known', () => {
		expect(toolRepeatRefusal('placesCall', 'c-1').message).toBe(
			'Not sent: this exact call was already made earlier in this run (its id: c-1). Repeating it would ring the same person again.',
		);
		expect(toolRepeatRefusal('changesCall', undefined).message).toBe(
			'Not sent: this exact request was already made earlier in this run. Repeating it would act on the live call again.',
		);
	});
});
