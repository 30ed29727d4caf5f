import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type JsonObject,
} from 'n8n-workflow';

import { errorCode } from '../helpers/errorCode';
import { isFailedReply } from '../helpers/response';
import { describeFailure } from './failure';
import { RateLimiter } from './rateLimiter';
import {
	decideRetry,
	DEFAULT_RETRY_SETTINGS,
	mayHaveActed,
	type AttemptOutcome,
	type RetrySettings,
} from './retryPolicy';
import type { PiopiyCredentials, PiopiyRequest } from './types';

export interface TransportSettings {
	timeoutMs: number;
	retry: RetrySettings;
	rateLimiter: RateLimiter;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export function defaultTransportSettings(): TransportSettings {
	return {
		timeoutMs: DEFAULT_TIMEOUT_MS,
		retry: DEFAULT_RETRY_SETTINGS,
		rateLimiter: new RateLimiter({ capPerSecond: 0, concurrency: 1 }),
	};
}

/**
 * A request that failed for good. `mayHaveActed` tells the router whether the request may still have
 * placed or changed a call (timeout, reset, 5xx) or was certainly refused, for the run's record.
 */
export class PiopiyRequestError extends NodeApiError {
	constructor(
		context: IExecuteFunctions,
		report: ReturnType<typeof describeFailure>,
		itemIndex: number,
		readonly mayHaveActed: boolean,
	) {
		// Built from our own report only: wrapping the axios error would carry the request headers.
		super(context.getNode(), report as unknown as JsonObject, {
			message: report.message,
			description: report.description,
			httpCode: report.httpCode,
			itemIndex,
		});
	}
}

/** Codes that prove the request never left this machine. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	if (body.trim() === '') return {};
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}

async function attempt(
	context: IExecuteFunctions,
	request: PiopiyRequest,
	credentials: PiopiyCredentials,
	timeoutMs: number,
): Promise<AttemptOutcome> {
	const baseUrl = request.api === 'account' ? credentials.accountApiUrl : credentials.baseUrl;
	const options: IHttpRequestOptions = {
		method: 'POST',
		url: `${trimSlash(baseUrl)}${request.path}`,
		body: request.body,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	};
	try {
		// The account API authenticates with App ID + secret in the body; the token must not go there.
		const response =
			request.api === 'account'
				? await context.helpers.httpRequest(options)
				: await context.helpers.httpRequestWithAuthentication.call(context, 'piopiyApi', options);
		const { statusCode, headers, body } = response as { statusCode: number; headers: IDataObject; body: unknown };
		const parsed = parseBody(body);
		const failed = isFailedReply(statusCode, parsed) || typeof parsed !== 'object' || parsed === null;
		return { kind: 'reply', statusCode, headers: headers ?? {}, body: parsed, failed };
	} catch (error) {
		const code = errorCode(error);
		return NOT_SENT_CODES.has(code) ? { kind: 'notSent', code } : { kind: 'unknown', code };
	}
}

/**
 * Sends one request to Piopiy: the only function in the node that does. It waits its turn under the
 * rate limiter (which paces starts and learns from 429s), retries only what `decideRetry` allows,
 * and turns a final failure into a NodeApiError whose text names what happened and what to do,
 * with no secret in it.
 */
export async function sendPiopiyRequest(
	context: IExecuteFunctions,
	request: PiopiyRequest,
	credentials: PiopiyCredentials,
	settings: TransportSettings,
	itemIndex: number,
): Promise<IDataObject> {
	const history = { attempts: 0, transientRetries: 0, waitedMs: 0 };
	for (;;) {
		await settings.rateLimiter.waitForTurn();
		const sentAt = Date.now();
		const outcome = await attempt(context, request, credentials, settings.timeoutMs);
		history.attempts++;
		if (outcome.kind === 'reply') {
			const rateLimited = outcome.statusCode === 429;
			settings.rateLimiter.recordReply(rateLimited);
			if (!rateLimited) settings.rateLimiter.recordRoundTrip(Date.now() - sentAt);
		}
		const decision = decideRetry(request.effect, outcome, history, settings.retry);
		if (decision.retry) {
			if (decision.reason === 'transient') history.transientRetries++;
			history.waitedMs += decision.delayMs;
			await sleep(decision.delayMs);
			continue;
		}
		if (decision.why === 'done' && outcome.kind === 'reply') {
			const body = outcome.body;
			return Array.isArray(body) ? { data: body } : (body as IDataObject);
		}
		const report = describeFailure({
			request,
			outcome,
			why: decision.why,
			attempts: history.attempts,
			waitedMs: history.waitedMs,
			timeoutMs: settings.timeoutMs,
			secrets: [credentials.apiToken, credentials.appSecret],
		});
		throw new PiopiyRequestError(context, report, itemIndex, mayHaveActed(outcome));
	}
}
