import { normalizeCause } from '../../nodes/Piopiy/mapping/callControl';
import { refusal } from '../support/fixtures';

describe('normalizeCause: a hang-up cause that differs only in form is repaired', () => {
	test.each([
		['USER_BUSY', 'USER_BUSY'],
		['user_busy', 'USER_BUSY'],
		[' User Busy ', 'USER_BUSY'],
		['user-busy', 'USER_BUSY'],
		['user - busy', 'USER_BUSY'],
		['Normal\tClearing', 'NORMAL_CLEARING'],
		['q850_cause_17', 'Q850_CAUSE_17'],
		['A'.repeat(64), 'A'.repeat(64)],
	])('%p → %p', (typed, sent) => expect(normalizeCause('Custom Cause', typed)).toBe(sent));

	test.each([['user busy!'], ['17_BUSY'], ['_BUSY'], [''], ['   '], ['A'.repeat(65)], [17], [undefined], ['ÜBER_BUSY']])(
		'%p is refused, showing what was typed',
		(typed) => {
			const error = refusal(() => normalizeCause('Custom Cause', typed));
			expect(error.field).toBe('Custom Cause');
			expect(error.received).toBe(typed);
			expect(error.expected).toMatch(/^a SIP cause name of 1 to 64 letters, digits and underscores/);
		},
	);
});
