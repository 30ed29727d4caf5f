import { describeStoppedRun, indexRanges, replyId, type ItemOutcome } from '../../nodes/Piopiy/helpers/runRecord';

describe('indexRanges', () => {
	test.each([
		[[], ''],
		[[4], '4'],
		[[0, 1, 2, 5, 7, 8], '0-2, 5, 7-8'],
	])('%j → %j', (indexes, expected) => expect(indexRanges(indexes)).toBe(expected));

	test('10,000 indexes in order stay one range', () => {
		expect(indexRanges(Array.from({ length: 10_000 }, (_, index) => index))).toBe('0-9999');
	});
});

describe('replyId', () => {
	test.each([
		[{ call_id: 'c1', request_id: 'r1' }, 'c1'],
		[{ request_id: 'r1' }, 'r1'],
		[{ code: 200, data: { status: 'progress', request_id: 'r2' } }, 'r2'],
		[{ message: 'call_queued' }, undefined],
	])('%j → %j', (reply, expected) => expect(replyId(reply)).toBe(expected));
});

describe('describeStoppedRun', () => {
	const outcomes: ItemOutcome[] = [
		{ kind: 'succeeded', id: 'call-0' },
		{ kind: 'succeeded', id: 'call-1' },
		{ kind: 'unknownOutcome' },
		{ kind: 'succeeded' },
		{ kind: 'refused' },
		{ kind: 'notSent' },
		{ kind: 'notSent' },
	];
	const failure = { message: 'Piopiy answered with a server error (HTTP 502)', description: 'The call may have been placed.' };

	test('calls: counts, ranges and call_ids', () => {
		const report = describeStoppedRun(outcomes, 2, failure, 'placesCall');
		expect(report.message).toBe('Stopped at item 2: 3 calls placed, 1 with unknown outcome, 1 refused, 2 not sent (of 7 items)');
		expect(report.record).toEqual({
			failedItem: 2,
			placed: '0-1, 3',
			unknownOutcome: '2',
			refused: '4',
			notSent: '5-6',
			ids: ['call-0', 'call-1', ''],
		});
		expect(report.description.split('\n')).toEqual([
			'Item 2 failed: Piopiy answered with a server error (HTTP 502) (The call may have been placed.)',
			'The node started no new items after that and let the requests already in flight finish:',
			"Placed (3): items 0-1, 3. Do not call these again; their call_ids are in this error's context (record.ids).",
			'Unknown outcome (1): item 2. These calls may have been placed: check the Piopiy call log before calling these leads again.',
			'Refused (1): item 4. Nothing happened for these; they are safe to run again once the cause is fixed.',
			'Not sent (2): items 5-6. Safe to run.',
			'To carry on, run only the refused and not-sent items (see "Re-running a failed campaign" in the node\'s README). Do not retry the whole execution: that would send the succeeded items again.',
		]);
	});

	test('transfers are "applied", hangups "done"; empty outcomes are left out', () => {
		const two: ItemOutcome[] = [{ kind: 'succeeded' }, { kind: 'unknownOutcome' }];
		const transfer = describeStoppedRun(two, 1, failure, 'changesCall');
		expect(transfer.message).toBe('Stopped at item 1: 1 request applied, 1 with unknown outcome, 0 refused, 0 not sent (of 2 items)');
		expect(transfer.record).toMatchObject({ applied: '0', unknownOutcome: '1', refused: '', notSent: '' });
		expect(transfer.description).toContain('These changes may have been applied');
		expect(transfer.description).not.toContain('Refused');
		expect(describeStoppedRun(two, 1, failure, 'repeatable').record).toMatchObject({ done: '0' });
	});
});
