/** How a Piopiy reply is judged, exactly as docs/piopiy-api.md "Responses" says. Pure functions. */

const SUCCESS_CODES = new Set<unknown>([200, '200', 'cmi-200']);

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A reply failed when its status is not 2xx, or its body says so: a truthy `error`, `success: false`,
 * or a `code` other than 200 / "200" / "cmi-200". An HTTP 200 that says it failed is a failure.
 */
export function isFailedReply(statusCode: number, body: unknown): boolean {
	if (statusCode < 200 || statusCode > 299) return true;
	if (!isRecord(body)) return false;
	if (body.error) return true;
	if (body.success === false) return true;
	if ('code' in body && body.code !== undefined && !SUCCESS_CODES.has(body.code)) return true;
	return false;
}

function textOf(value: unknown): string | undefined {
	if (typeof value === 'string' && value.trim() !== '') return value.trim();
	if (isRecord(value) && typeof value.message === 'string' && value.message.trim() !== '') {
		return value.message.trim();
	}
	return undefined;
}

/** Piopiy's own words for a failure: `error`, else `message`, else `msg`; undefined when it gave none. */
export function replyErrorText(body: unknown): string | undefined {
	if (!isRecord(body)) return undefined;
	return textOf(body.error) ?? textOf(body.message) ?? textOf(body.msg);
}
