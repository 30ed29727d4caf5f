import type { IDataObject } from 'n8n-workflow';

import { SECRET_QUERY_PARAMETER } from './secret';

/**
 * Fields Piopiy and TeleCMI send as a JSON document inside a string: `extra_params` (docs/piopiy-api.md,
 * "Webhooks") and `custom` (TeleCMI's "your custom parameters"). They are parsed when they hold a
 * JSON object or array, and kept exactly as sent otherwise.
 */
export const JSON_STRING_FIELDS = ['extra_params', 'custom'] as const;

export function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `'{"crm":"true"}'` → `{crm: 'true'}`; anything that is not a JSON object or array is returned unchanged. */
export function parseJsonString(value: unknown): unknown {
	if (typeof value !== 'string') return value;
	const text = value.trim();
	if (!text.startsWith('{') && !text.startsWith('[')) return value;
	try {
		const parsed: unknown = JSON.parse(text);
		return typeof parsed === 'object' && parsed !== null ? parsed : value;
	} catch {
		return value;
	}
}

/**
 * The events in a request body. n8n has already parsed JSON and form-encoded bodies into an object;
 * an array is taken as one event per element; text that holds JSON is parsed; any other text is
 * kept under `body`. Nothing Piopiy sent is dropped, because its v3 payloads are not fully published.
 */
export function eventsFromBody(body: unknown): IDataObject[] {
	if (typeof body === 'string') {
		if (body.trim() === '') return [{}];
		const parsed = parseJsonString(body);
		return parsed === body ? [{ body }] : eventsFromBody(parsed);
	}
	if (Array.isArray(body)) {
		return body.map((entry) => (isRecord(entry) ? entry : { value: entry as IDataObject[string] }));
	}
	if (isRecord(body)) return [body];
	return [{}];
}

/** The event as Piopiy sent it, with its JSON-in-a-string fields parsed. */
export function normalizeEvent(event: IDataObject): IDataObject {
	const normalized: IDataObject = { ...event };
	for (const field of JSON_STRING_FIELDS) {
		if (field in normalized) normalized[field] = parseJsonString(normalized[field]) as IDataObject[string];
	}
	return normalized;
}

/** The query string without the secret, so the URL's own parameters (e.g. `?step=menu`) stay usable. */
export function queryWithoutSecret(query: unknown): IDataObject {
	if (!isRecord(query)) return {};
	const rest: IDataObject = {};
	for (const [name, value] of Object.entries(query)) {
		if (name.toLowerCase() !== SECRET_QUERY_PARAMETER) rest[name] = value;
	}
	return rest;
}
