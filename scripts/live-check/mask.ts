/**
 * The saved file and the printed table are made to be shared: the user's own phone number, the
 * caller ID and the App ID are masked wherever they appear (in requests, replies, posts, numbers
 * and text), keeping their last digits so the user recognises them. Secrets are removed separately
 * (nodes/shared/redact.ts); call IDs, URLs and the rest stay as they came. Pure.
 */

export interface Masked {
	/** Digits only, as the node sends them. */
	value: string;
	/** How many of the last digits stay. */
	keep: number;
}

/** Phone numbers keep their last 4 digits; the App ID its last 3. */
export const PHONE_DIGITS_KEPT = 4;
export const ID_DIGITS_KEPT = 3;

export function maskedValues(phoneNumbers: Array<string | undefined>, ids: Array<string | undefined>): Masked[] {
	const digitsOf = (value: string | undefined) => (value ?? '').replace(/\D/g, '');
	return [
		...phoneNumbers.map((value) => ({ value: digitsOf(value), keep: PHONE_DIGITS_KEPT })),
		...ids.map((value) => ({ value: digitsOf(value), keep: ID_DIGITS_KEPT })),
	].filter((masked) => masked.value.length > masked.keep);
}

/** `***3210`: the digits but the last `keep` replaced by one marker. */
export const maskOf = ({ value, keep }: Masked) => `***${value.slice(-keep)}`;

/**
 * A number in any form a post may write it: the digits with spaces, dashes, dots or brackets between
 * them, and for a long number also its last ten digits (the national number, written with or without
 * a leading 0); never inside a longer run of digits.
 */
function patternsOf(masked: Masked): RegExp[] {
	const forms = [masked.value, ...(masked.value.length > 10 ? [masked.value.slice(-10)] : [])];
	return forms.map((digits) => new RegExp(`(?<!\\d)(?:\\+|0)?${digits.split('').join('[\\s().-]*')}(?!\\d)`, 'g'));
}

export function maskText(text: string, values: Masked[]): string {
	let masked = text;
	for (const value of [...values].sort((a, b) => b.value.length - a.value.length)) {
		for (const pattern of patternsOf(value)) masked = masked.replace(pattern, maskOf(value));
	}
	return masked;
}

/** `data` with every masked value replaced, in strings and in numbers (a number becomes its mask). */
export function maskData(data: unknown, values: Masked[]): unknown {
	if (typeof data === 'string') return maskText(data, values);
	if (typeof data === 'number') {
		const masked = maskText(String(data), values);
		return masked === String(data) ? data : masked;
	}
	if (Array.isArray(data)) return data.map((item) => maskData(item, values));
	if (typeof data === 'object' && data !== null) {
		return Object.fromEntries(Object.entries(data).map(([key, value]) => [key, maskData(value, values)]));
	}
	return data;
}
