import { PiopiyApi } from '../../credentials/PiopiyApi.credentials';

/**
 * What the credential dialog's "Test" would show for a reply: the credential's own rules, applied
 * in the order and the way n8n 2.41's CredentialsTester applies them (test/support/credentialTest.ts
 * runs that code for real): a non-2xx status takes its `responseCode` message, else n8n's words for
 * the status; a 2xx is checked field by field (lodash `get`, `===`) against the `responseSuccessBody`
 * rules; a 2xx that none matches is "Connection successful!".
 */
export interface CredentialVerdict {
	status: 'OK' | 'Error';
	message: string;
}

type Rule = { type: 'responseCode' | 'responseSuccessBody'; properties: { key?: string; value: unknown; message: string } };

/** lodash `get` for a dotted path: own and inherited properties, so `constructor.name` of a string is "String". */
function get(value: unknown, path: string): unknown {
	let current: unknown = value;
	for (const key of path.split('.')) {
		if (current === null || current === undefined) return undefined;
		current = (current as Record<string, unknown>)[key];
	}
	return current;
}

/** `text` is the body as it came: n8n hands the rules the parsed JSON, or the text when it is none. */
export function credentialVerdict(status: number, statusText: string, text: string): CredentialVerdict {
	const rules = (new PiopiyApi().test.rules ?? []) as unknown as Rule[];
	if (status < 200 || status > 299) {
		const rule = rules.find((candidate) => candidate.type === 'responseCode' && candidate.properties.value === status);
		return { status: 'Error', message: rule?.properties.message ?? (statusText || `Received HTTP status code: ${status}`) };
	}
	let body: unknown = text;
	try {
		body = text.trim() === '' ? text : JSON.parse(text);
	} catch {
		// n8n keeps a reply that is not JSON as text, and so do the rules.
	}
	for (const rule of rules) {
		if (rule.type === 'responseSuccessBody' && get(body, rule.properties.key ?? '') === rule.properties.value) {
			return { status: 'Error', message: rule.properties.message };
		}
	}
	return { status: 'OK', message: 'Connection successful!' };
}
