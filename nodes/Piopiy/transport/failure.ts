import { redactSecrets } from '../../shared/redact';
import { replyErrorText } from '../helpers/response';
import type { AttemptOutcome, RetryDecision } from './retryPolicy';
import type { PiopiyRequest } from './types';

/** What the user is told when a request failed for good. Pure, so every wording is testable. */
export interface FailureReport {
	message: string;
	description: string;
	httpCode?: string;
}

export interface FailureContext {
	request: PiopiyRequest;
	outcome: AttemptOutcome;
	why: Extract<RetryDecision, { retry: false }>['why'];
	attempts: number;
	waitedMs: number;
	timeoutMs: number;
	secrets: Array<string | undefined>;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const NOT_FOUND_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN']);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

function service(request: PiopiyRequest): string {
	return request.api === 'account' ? 'The TeleCMI account API' : 'Piopiy';
}

/** The sentence that tells the user whether this request could have acted, and what to do. */
function mayHaveActedSentence(request: PiopiyRequest): string {
	if (request.effect === 'placesCall') {
		return 'The call may have been placed. Piopiy has no way to ask whether it was, so the node did not send it again: check the call log in the Piopiy dashboard before running this item again.';
	}
	if (request.effect === 'changesCall') {
		return 'The change may have been applied to the live call. The node did not send it again: check the call in the Piopiy dashboard before retrying.';
	}
	return 'This request changes nothing when repeated, so it is safe to run again.';
}

function attemptsNote(attempts: number): string {
	return attempts > 1 ? ` after ${attempts} attempts` : '';
}

export function describeFailure(context: FailureContext): FailureReport {
	const report = describe(context);
	return {
		...report,
		message: redactSecrets(report.message, context.secrets),
		description: redactSecrets(report.description, context.secrets),
	};
}

function describe({ request, outcome, attempts, waitedMs, timeoutMs, why }: FailureContext): FailureReport {
	const who = service(request);

	// Error codes go in the description: n8n replaces a message that contains one with its own text.
	if (outcome.kind === 'notSent') {
		const what = NOT_FOUND_CODES.has(outcome.code) ? 'could not find the host of' : 'could not connect to';
		const target = request.api === 'account' ? 'the TeleCMI account API' : 'Piopiy';
		return {
			message: `The node ${what} ${target}${attemptsNote(attempts)}`,
			description: `Network error ${outcome.code}. Nothing was sent, so nothing was placed and it is safe to run this item again. Check the URLs of the Piopiy API credential and the network of your n8n.`,
		};
	}

	if (outcome.kind === 'unknown') {
		const what = TIMEOUT_CODES.has(outcome.code)
			? `${who} did not answer within ${seconds(timeoutMs)}`
			: `The connection to ${who} dropped before it answered`;
		return {
			message: `${what}${attemptsNote(attempts)}`,
			description: `Network error ${outcome.code}. ${mayHaveActedSentence(request)}`,
		};
	}

	const { statusCode, body } = outcome;
	const httpCode = String(statusCode);
	const said = replyErrorText(body) ?? (typeof body === 'string' && body.trim() ? body.trim().slice(0, 300) : undefined);
	const saidSentence = said ? `${who} said: "${said}". ` : '';

	if (statusCode === 401 || statusCode === 403 || (request.api === 'account' && statusCode === 404)) {
		const rejected =
			request.api === 'account'
				? 'TeleCMI rejected the App ID or App Secret'
				: 'Piopiy rejected the API token';
		const fix =
			request.api === 'account'
				? 'Check the App ID and App Secret of the Piopiy API credential (Piopiy dashboard → Apps).'
				: 'Check the API Token of the Piopiy API credential: copy it again from the Piopiy dashboard, it may have been revoked.';
		return { message: `${rejected} (HTTP ${statusCode})`, description: `${saidSentence}${fix} Nothing was placed.`, httpCode };
	}

	if (statusCode === 429) {
		const gaveUp =
			why === 'waitBudgetSpent'
				? ` and the node gave up after waiting ${seconds(waitedMs)} over ${attempts} attempts`
				: '';
		return {
			message: `${who} is rate limiting requests (HTTP 429)${gaveUp}`,
			description: `${saidSentence}Piopiy refused the request, so nothing was placed and it is safe to run this item again. Lower "Max Requests per Second" or "Max Concurrent Requests" in the node's options, or raise "Max Rate-Limit Wait".`,
			httpCode,
		};
	}

	if (statusCode >= 500) {
		return {
			message: `${who} answered with a server error (HTTP ${statusCode})${attemptsNote(attempts)}`,
			description: `${saidSentence}${mayHaveActedSentence(request)}`,
			httpCode,
		};
	}

	if (statusCode >= 200 && statusCode < 300) {
		if (typeof body === 'string') {
			return {
				message: `${who} answered HTTP ${statusCode} with a body that is not JSON`,
				description: `The reply began: "${body.trim().slice(0, 120)}". ${mayHaveActedSentence(request)}`,
				httpCode,
			};
		}
		return {
			message: `${who} reported a failure: ${said ?? 'no reason given'}`,
			description: `HTTP ${statusCode} came back, but the body says the request failed. Nothing was placed; fix the cause and run this item again.`,
			httpCode,
		};
	}

	return {
		message: `${who} refused the request (HTTP ${statusCode}): ${said ?? 'no reason given'}`,
		description: 'The request was refused, so nothing was placed. Fix the cause and run this item again.',
		httpCode,
	};
}
