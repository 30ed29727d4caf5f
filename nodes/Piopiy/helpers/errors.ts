/**
 * A user-supplied value that breaks a rule of the Piopiy contract. Pure helpers throw it; the router
 * turns it into a NodeOperationError that names the item, so helpers need no n8n context.
 */
export class InvalidFieldError extends Error {
	constructor(
		readonly field: string,
		readonly received: unknown,
		readonly expected: string,
	) {
		super(`${field} ${describeReceived(received)} is not valid: expected ${expected}`);
		this.name = 'InvalidFieldError';
	}
}

/**
 * A setting of a credential that is missing or breaks a rule. It is the same for every item, so its
 * message speaks of the credential ("The Piopiy API credential has no App ID and no App Secret"), not
 * of an item; the router keeps the item only to pair the failure.
 */
export class InvalidCredentialError extends InvalidFieldError {
	constructor(credential: string, settings: string[], received: unknown, expected: string) {
		super(`${settings.join(' and ')} of the ${credential} credential`, received, expected);
		this.name = 'InvalidCredentialError';
		this.message =
			received === undefined
				? `The ${credential} credential has no ${settings.join(' and no ')}`
				: `The ${settings.join(' and ')} of the ${credential} credential is not valid: received ${describeReceived(received)}`;
	}
}

/**
 * Runs `run` and hands back what it threw instead of throwing, so a caller can throw an
 * InvalidFieldError with more context outside a catch block (n8n's require-node-api-error rule asks
 * for a Node error there; pure helpers have no node, and the router makes that Node error).
 */
export function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
	try {
		return { ok: true, value: run() };
	} catch (error) {
		return { ok: false, error };
	}
}

/** Shows a received value the way the user typed it, shortened so huge payloads stay readable. */
export function describeReceived(value: unknown): string {
	if (value === undefined) return '(missing)';
	if (value === '') return '(empty)';
	let text: string;
	try {
		text = typeof value === 'string' ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
	} catch {
		text = String(value);
	}
	return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** "A failed", "Do B." → "A failed. Do B." (an error's message and description, read as one text). */
export function joinSentences(first: string, second: string | undefined): string {
	if (!second) return first;
	return /[.!?]$/.test(first) ? `${first} ${second}` : `${first}. ${second}`;
}
