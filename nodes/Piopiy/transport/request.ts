import {
	NodeApiError,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type JsonObject,
} from 'n8n-workflow';

import { errorCode, notSentStage } from '../helpers/errorCode';
import { attempt, InvalidFieldError } from '../helpers/errors';
import { judgeReply } from '../helpers/response';
import { requireBaseUrl } from '../helpers/validate';
import type { Clock } from './clock';
import { describeFailure, describeUnusableUrl, urlSetting, type FailureReport } from './failure';
import { RateLimiter } from './rateLimiter';
import {
	decideRetry,
	DEFAULT_RETRY_SETTINGS,
	mayHaveActed,
	STOPPED_BEFORE_SENDING,
	type AttemptHistory,
	type AttemptOutcome,
	type RetrySettings,
	type SettledWhy,
} from './retryPolicy';
import type { PiopiyCredentials, PiopiyRequest, RequestEffect } from './types';

export interface TransportSettings {
	timeoutMs: number;
	retry: RetrySettings;
	/** Paces every request of the execution within its account's limit; its clock is the one the retry loop measures with. */
	rateLimiter: RateLimiter;
	/**
	 * n8n's signal that the execution was stopped (the editor's Stop, a cancelled or timed-out
	 * execution). n8n aborts the node's requests with it but does not stop the node's code: without
	 * it, waits went on and every lead not reached was reported as "may have been placed" (n8n's
	 * helper refused to send it, in the words of a dropped connection). Once it aborts, no request is
	 * started and no wait goes on.
	 */
	stopSignal?: AbortSignal;
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
 * placed or changed a call (timeout, reset, 5xx, a reply that cannot be trusted) or certainly did not
 * (refused, or never sent), for the run's record.
 */
export class PiopiyRequestError extends NodeApiError {
	constructor(
		context: IExecuteFunctions,
		report: FailureReport,
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

export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	if (body.trim() === '') return {};
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

async function sendOnce(
	context: IExecuteFunctions,
	request: PiopiyRequest,
	url: string,
	timeoutMs: number,
): Promise<AttemptOutcome> {
	const options: IHttpRequestOptions = {
		method: 'POST',
		url,
		body: request.body,
		headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		// Followed, a 301, 302 or 303 would turn the POST into a GET, and the GET's answer would be
		// judged as the call's; each is judged as it comes instead (see judgeReply).
		disableFollowRedirect: true,
	};
	try {
		// The account API authenticates with App ID + secret in the body; the token must not go there.
		const response =
			request.api === 'account'
				? await context.helpers.httpRequest(options)
				: await context.helpers.httpRequestWithAuthentication.call(context, 'piopiyApi', options);
		const { statusCode, headers, body } = response as { statusCode: number; headers: IDataObject; body: unknown };
		const parsed = parseBody(body);
		return { kind: 'reply', statusCode, headers: headers ?? {}, body: parsed, verdict: judgeReply(statusCode, parsed) };
	} catch (error) {
		const code = errorCode(error);
		return notSentStage(code) ? { kind: 'notSent', code } : { kind: 'unknown', code };
	}
}

/** What became of a request after every attempt it was allowed. */
export interface SettledRequest {
	outcome: AttemptOutcome;
	why: SettledWhy;
	attempts: number;
	/** From the start of the first attempt to the end of the last, in ms. */
	elapsedMs: number;
}

/**
 * Sends with `send` until an attempt settles the request, retrying only what `decideRetry` allows.
 * Every wait ends: a retry waits at most until its item's budget (time since the first attempt) is
 * spent, counting the rate limiter's pacing, so the item settles within the budget plus one attempt.
 * A stopped execution ends every wait at once and starts no attempt: `why` is then `stopped`, and the
 * outcome is the last attempt's, or `notSent` when there was none.
 */
export async function sendUntilSettled(
	effect: RequestEffect,
	send: () => Promise<AttemptOutcome>,
	settings: Pick<TransportSettings, 'retry' | 'rateLimiter' | 'stopSignal'>,
	random = Math.random,
): Promise<SettledRequest> {
	const { rateLimiter, stopSignal } = settings;
	const clock: Clock = rateLimiter.clock;
	const history: AttemptHistory = { attempts: 0, transientRetries: 0, elapsedMs: 0 };
	let firstStartedAt: number | undefined;
	let last: AttemptOutcome | undefined;
	const settled = (outcome: AttemptOutcome, why: SettledWhy): SettledRequest => ({
		outcome,
		why,
		attempts: history.attempts,
		elapsedMs: firstStartedAt === undefined ? 0 : clock.now() - firstStartedAt,
	});
	for (;;) {
		const deadline = firstStartedAt === undefined ? Infinity : firstStartedAt + settings.retry.maxWaitMs;
		const turn = await rateLimiter.waitForTurn(deadline, undefined, stopSignal);
		if (stopSignal?.aborted) {
			if (turn) rateLimiter.recordAnswer(turn, 'unsent');
			return settled(last ?? { kind: 'notSent', code: STOPPED_BEFORE_SENDING }, 'stopped');
		}
		// Only a retry has a deadline, so only a retry can be refused a turn: `last` is then its attempt.
		if (!turn) return settled(last as AttemptOutcome, 'waitBudgetSpent');
		firstStartedAt ??= clock.now();
		const outcome = await send();
		last = outcome;
		history.attempts++;
		if (outcome.kind === 'reply') {
			rateLimiter.recordAnswer(turn, outcome.statusCode === 429 ? 'refused' : 'accepted');
			rateLimiter.recordHeaders(outcome.headers);
		} else {
			rateLimiter.recordAnswer(turn, 'none');
		}
		history.elapsedMs = clock.now() - firstStartedAt;
		// n8n aborts a request in flight when the execution is stopped: no answer, because of the stop.
		if (outcome.kind === 'unknown' && stopSignal?.aborted) return settled(outcome, 'stopped');
		const decision = decideRetry(effect, outcome, history, settings.retry, random);
		if (!decision.retry) return settled(outcome, decision.why);
		if (decision.reason === 'transient') history.transientRetries++;
		await clock.sleep(decision.delayMs, stopSignal);
	}
}

/**
 * Sends one request to Piopiy: the only function in the node that does. It checks the credential's
 * URL first (a bad one fails the item as not sent), waits its turn under the rate limiter (which
 * paces starts and learns from 429s), retries only what `decideRetry` allows, and turns a final
 * failure into a NodeApiError whose text names what happened and what to do, with no secret in it.
 */
export async function sendPiopiyRequest(
	context: IExecuteFunctions,
	request: PiopiyRequest,
	credentials: PiopiyCredentials,
	settings: TransportSettings,
	itemIndex: number,
): Promise<IDataObject> {
	const secrets = [credentials.apiToken, credentials.appSecret];
	const setting = urlSetting(request);
	const configured = request.api === 'account' ? credentials.accountApiUrl : credentials.baseUrl;
	const baseUrl = attempt(() => requireBaseUrl(`${setting.name} of the Piopiy API credential`, configured, setting.example));
	if (!baseUrl.ok) {
		if (!(baseUrl.error instanceof InvalidFieldError)) throw baseUrl.error;
		throw new PiopiyRequestError(context, describeUnusableUrl(baseUrl.error, secrets), itemIndex, false);
	}
	const url = `${baseUrl.value}${request.path}`;

	const settled = await sendUntilSettled(
		request.effect,
		async () => await sendOnce(context, request, url, settings.timeoutMs),
		settings,
	);
	const { outcome } = settled;
	if (settled.why === 'done' && outcome.kind === 'reply') {
		const body = outcome.body;
		return Array.isArray(body) ? { data: body } : (body as IDataObject);
	}
	const report = describeFailure({
		request,
		baseUrl: baseUrl.value,
		outcome,
		why: settled.why,
		attempts: settled.attempts,
		elapsedMs: settled.elapsedMs,
		maxWaitMs: settings.retry.maxWaitMs,
		timeoutMs: settings.timeoutMs,
		secrets,
	});
	throw new PiopiyRequestError(context, report, itemIndex, mayHaveActed(outcome));
}
