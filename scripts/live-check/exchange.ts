import { errorCode } from '../../nodes/Piopiy/helpers/errorCode';
import { judgeReply, type ReplyVerdict } from '../../nodes/Piopiy/helpers/response';
import { parseBody } from '../../nodes/Piopiy/transport/request';
import type { PiopiyRequest } from '../../nodes/Piopiy/transport/types';

/** One request of the live check and what came back, as saved in the report (after redaction). */
export interface Exchange {
	name: string;
	purpose: string;
	request: { method: 'POST'; url: string; headers: Record<string, string>; body: unknown };
	reply?: {
		status: number;
		statusText: string;
		headers: Record<string, string>;
		/** The body as it came. */
		text: string;
		/** As the node parses it: JSON when it was JSON, else the text. */
		body: unknown;
		/** The node's verdict on it (helpers/response.ts judgeReply). */
		verdict: ReplyVerdict;
	};
	/** The error code (helpers/errorCode.ts) of a request that got no reply. */
	error?: string;
	elapsedMs: number;
}

export interface Target {
	token: string;
	baseUrl: string;
	accountApiUrl: string;
}

const TIMEOUT_MS = 15_000;

/**
 * Sends `request` once, as the node's transport does (same headers, the token only to the voice
 * API), and never again whatever happens: the live check must not place a call twice.
 */
export async function sendOnce(
	target: Target,
	name: string,
	purpose: string,
	request: PiopiyRequest,
	extraHeaders: Record<string, string> = {},
): Promise<Exchange> {
	const url = `${request.api === 'account' ? target.accountApiUrl : target.baseUrl}${request.path}`;
	const headers: Record<string, string> = { Accept: 'application/json', 'Content-Type': 'application/json', ...extraHeaders };
	if (request.api === 'voice') headers.Authorization = `Bearer ${target.token}`;
	const exchange: Exchange = { name, purpose, request: { method: 'POST', url, headers, body: request.body }, elapsedMs: 0 };
	const started = Date.now();
	try {
		const response = await fetch(url, {
			method: 'POST',
			headers,
			body: JSON.stringify(request.body),
			redirect: 'manual',
			signal: AbortSignal.timeout(TIMEOUT_MS),
		});
		const text = await response.text();
		const body = parseBody(text);
		exchange.reply = {
			status: response.status,
			statusText: response.statusText,
			headers: Object.fromEntries(response.headers.entries()),
			text,
			body,
			verdict: judgeReply(response.status, body),
		};
	} catch (error) {
		exchange.error = errorCode(error);
	}
	exchange.elapsedMs = Date.now() - started;
	return exchange;
}

/** Header names that look like rate limiting: `Retry-After`, `X-RateLimit-*`, `RateLimit-*`, quotas, throttles. */
const RATE_LIMIT_HEADER = /rate-?limit|retry-after|quota|throttl|x-ratelimit|remaining/i;

export function rateLimitHeaders(exchange: Exchange): Record<string, string> {
	return Object.fromEntries(Object.entries(exchange.reply?.headers ?? {}).filter(([name]) => RATE_LIMIT_HEADER.test(name)));
}
