import { maskData, maskedValues, maskText } from '../../scripts/live-check/mask';

/** The live check's masking of the user's numbers and App ID (scripts/live-check/mask.ts), directly. */

const values = maskedValues(['919876543210', '+91 80 4567 8900'], ['2222333']);

describe('maskText', () => {
	test.each([
		['919876543210', '***3210'],
		['+919876543210', '***3210'],
		['+91 98765-43210', '***3210'],
		['(98765) 43210', '(***3210'],
		['098765 43210', '***3210'],
		['9876543210', '***3210'],
		['from 918045678900 to 919876543210', 'from ***8900 to ***3210'],
		['app 2222333', 'app ***333'],
	])('%s → %s', (text, masked) => {
		expect(maskText(text, values)).toBe(masked);
	});

	test('digits inside a longer run of digits, and other numbers, stay', () => {
		for (const text of ['19876543210999', '122223334', '1798761600000', 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d']) {
			expect(maskText(text, values)).toBe(text);
		}
	});
});

test('maskData: strings and numbers anywhere, a masked number becomes its mask, the rest as it was', () => {
	expect(maskData({ appid: 2222333, to: [919876543210, 'x'], nested: { text: 'call +91 98765 43210' }, amount: 1200, ok: true, none: null }, values)).toEqual({
		appid: '***333',
		to: ['***3210', 'x'],
		nested: { text: 'call ***3210' },
		amount: 1200,
		ok: true,
		none: null,
	});
});

test('maskedValues: nothing to mask when a value is missing or too short to hide anything', () => {
	expect(maskedValues([undefined, '123'], [undefined, '12'])).toEqual([]);
});
