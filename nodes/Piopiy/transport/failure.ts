import { redactSecrets } from '../../shared/redact';
import { notSentStage } from '../helpers/errorCode';
import { describeReceived, type InvalidFieldError } from '../helpers/errors';
import { replyErrorText, replySignals } from '../helpers/response';
import { mayHaveActed, type AttemptOutcome, type SettledWhy } from './retryPolicy';
import type { PiopiyRequest } from './types';

/** What the user is told when a request failed for good. Pure, so every wording is testable. */
export interface FailureReport {
	message: string;
	description: string;
	httpCode?: string;
}

export interface FailureContext {
	request: PiopiyRequest;
	/** The credential URL the request went to (already checked by requireBaseUrl). */
	baseUrl: string;
	outcome: AttemptOutcome;
	why: SettledWhy;
	attempts: number;
	/** From the start of the first attempt to the end of the last, in ms. */
	elapsedMs: number;
	/** The node's Max Rate-Limit Wait, in ms. */
	maxWaitMs: number;
	timeoutMs: number;
	secrets: Array<string | undefined>;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;

/** The credential setting a request's URL comes from, as the user sees it, and its usual value. */
export function urlSetting(request: PiopiyRequest): { name: string; example: string } {
	return request.api === 'account'
		? { name: 'Account API URL', example: 'https://rest.telecmi.com' }
		: { name: 'Base URL', example: 'https://rest.piopiy.com/v3' };
}

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

const NOTHING_SENT = 'Nothing was sent, so nothing was placed and it is safe to run this item again.';

function checkSetting(request: PiopiyRequest, baseUrl: string): string {
	const { name, example } = urlSetting(request);
	return `Check the ${name} of the Piopiy API credential (now "${baseUrl}"; ${request.api === 'account' ? "TeleCMI's" : "Piopiy's"} is ${example}).`;
}

function attemptsNote(attempts: number): string {
	return attempts > 1 ? ` after ${attempts} attempts` : '';
}

function hostOf(baseUrl: string): string {
	try {
		return new URL(baseUrl).host;
	} catch {
		return baseUrl;
	}
}

export function describeFailure(context: FailureContext): FailureReport {
	return redacted(describe(context), context.secrets);
}

/** A credential URL the node cannot send to: the item fails before anything is sent. */
export function describeUnusableUrl(error: InvalidFieldError, secrets: Array<string | undefined>): FailureReport {
	return redacted(
		{
			message: `The ${error.field} is not a usable URL: received ${describeReceived(error.received)}`,
			description: `Expected ${error.expected}. Nothing was sent, so nothing was placed and it is safe to run this item again once the credential is fixed.`,
		},
		secrets,
	);
}

function redacted(report: FailureReport, secrets: Array<string | undefined>): FailureReport {
	return { ...report, message: redactSecrets(report.message, secrets), description: redactSecrets(report.description, secrets) };
}

/** Why a TLS handshake failed, in words, from Node's error code. */
function tlsProblem(code: string, host: string): string {
	switch (code) {
		case 'DEPTH_ZERO_SELF_SIGNED_CERT':
		case 'SELF_SIGNED_CERT_IN_CHAIN':
			return `the certificate of ${host} is self-signed, or signed by an authority your n8n does not trust`;
		case 'CERT_HAS_EXPIRED':
			return `the certificate of ${host} has expired`;
		case 'CERT_NOT_YET_VALID':
			return `the certificate of ${host} is not valid yet`;
		case 'CERT_REVOKED':
			return `the certificate of ${host} has been revoked`;
		case 'ERR_TLS_CERT_ALTNAME_INVALID':
			return `the certificate presented by ${host} is for another host name`;
		case 'ERR_SSL_WRONG_VERSION_NUMBER':
			return `${host} does not speak HTTPS (is it an http:// address?)`;
		case 'ERR_TLS_HANDSHAKE_TIMEOUT':
			return `the secure handshake with ${host} did not finish in time`;
		default:
			return `the certificate of ${host} is signed by an authority your n8n does not trust`;
	}
}

function describeNotSent(request: PiopiyRequest, baseUrl: string, code: string, attempts: number): FailureReport {
	const target = request.api === 'account' ? 'the TeleCMI account API' : 'Piopiy';
	const host = hostOf(baseUrl);
	const check = checkSetting(request, baseUrl);
	switch (notSentStage(code)) {
		case 'dns':
			return {
				message: `The node could not find the host of ${target}${attemptsNote(attempts)}`,
				description: `Network error ${code}: the host name ${host} did not resolve. ${NOTHING_SENT} ${check} If it is right, check the DNS of your n8n.`,
			};
		case 'tls':
			return {
				message: `The node could not make a secure connection to ${target}`,
				description: `TLS error ${code}: ${tlsProblem(code, host)}. The connection was closed before the request was written. ${NOTHING_SENT} ${check} A proxy or test server must present a certificate your n8n trusts.`,
			};
		case 'url':
			return {
				message: `The node could not use the ${urlSetting(request).name} of the Piopiy API credential`,
				description: `Error ${code}. ${NOTHING_SENT} ${check}`,
			};
		default:
			return {
				message: `The node could not connect to ${target}${attemptsNote(attempts)}`,
				description: `Network error ${code}: nothing accepted a connection at ${host}. ${NOTHING_SENT} ${check} If it is right, check that your n8n can reach it (firewall, proxy).`,
			};
	}
}

/** n8n stopped the execution: before the first attempt, during one (n8n aborts it), or between two. */
function describeStopped(request: PiopiyRequest, outcome: AttemptOutcome, attempts: number): FailureReport {
	if (attempts === 0) return { message: 'Not sent: the execution was stopped', description: NOTHING_SENT };
	if (outcome.kind === 'unknown') {
		return {
			message: `The execution was stopped before ${service(request)} answered`,
			description: `n8n ended the request when the execution was stopped (${outcome.code}). ${mayHaveActedSentence(request)}`,
		};
	}
	return {
		message: `Not sent again: the execution was stopped after ${attempts} attempt${attempts === 1 ? '' : 's'}`,
		description: mayHaveActed(outcome)
			? mayHaveActedSentence(request)
			: 'No attempt was accepted, so nothing was placed and it is safe to run this item again.',
	};
}

/** TeleCMI answers a wrong App ID or App Secret with HTTP 404 and its own JSON: `{"code": 404, "msg": ...}`. */
function isTeleCmiCredentialRejection(body: unknown): boolean {
	const code = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { code?: unknown }).code : undefined;
	return code === 404 || code === '404';
}

function describe(context: FailureContext): FailureReport {
	const { request, baseUrl, outcome, attempts, timeoutMs } = context;
	const who = service(request);

	if (context.why === 'stopped') return describeStopped(request, outcome, attempts);

	// Error codes go in the description: n8n replaces a message that contains one with its own text.
	if (outcome.kind === 'notSent') return describeNotSent(request, baseUrl, outcome.code, attempts);

	if (outcome.kind === 'unknown') {
		const what = TIMEOUT_CODES.has(outcome.code)
			? `${who} did not answer within ${seconds(timeoutMs)}`
			: `The connection to ${who} dropped before it answered`;
		return {
			message: `${what}${attemptsNote(attempts)}`,
			description: `Network error ${outcome.code}. ${mayHaveActedSentence(request)}`,
		};
	}

	const { statusCode, body, headers, verdict } = outcome;
	const httpCode = String(statusCode);
	const text = typeof body === 'string' && body.trim() ? body.trim() : undefined;
	const said = replyErrorText(body) ?? text?.slice(0, 300);
	const saidSentence = said ? `${who} said: "${said}". ` : '';
	const location = typeof headers.location === 'string' ? ` It points to "${headers.location}".` : '';

	switch (verdict.reason) {
		case 'rateLimited':
			return {
				message: `${who} is rate limiting requests (HTTP 429) and the node gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} in ${seconds(context.elapsedMs)}`,
				description: `${saidSentence}Piopiy refused the request, so nothing was placed and it is safe to run this item again. The node waits out 429s for at most "Max Rate-Limit Wait" (now ${seconds(context.maxWaitMs)}) from the item's first attempt, counting the time spent queued behind other executions that use the same Piopiy account in this n8n process. Lower "Max Requests per Second" or "Max Concurrent Requests" in the node's options, or raise "Max Rate-Limit Wait".`,
				httpCode,
			};

		case 'serverError':
			return {
				message: `${who} answered with a server error (HTTP ${statusCode})${attemptsNote(attempts)}`,
				description: `${saidSentence}${mayHaveActedSentence(request)}`,
				httpCode,
			};

		case 'notJson':
			return {
				message: `${who} answered HTTP ${statusCode} with a body that is not JSON`,
				description: `The reply began: "${String(text ?? JSON.stringify(body)).slice(0, 120)}". ${mayHaveActedSentence(request)}`,
				httpCode,
			};

		case 'contradicts': {
			const signals = replySignals(body);
			const failure = [...(statusCode >= 200 && statusCode <= 299 ? [] : [`HTTP ${statusCode}`]), ...signals.failure];
			return {
				message: `${who} answered HTTP ${statusCode} with a reply that contradicts itself`,
				description: `It says it failed (${failure.join(', ')}) and also that it succeeded (${signals.success.join(', ')}), so it is neither a clear refusal nor a clear success. ${mayHaveActedSentence(request)}`,
				httpCode,
			};
		}

		case 'unclearStatus':
			return {
				message: `${who} answered HTTP ${statusCode}, which does not say whether it acted`,
				description: `${location ? `${location.trim()} ` : ''}${mayHaveActedSentence(request)} ${checkSetting(request, baseUrl)}`,
				httpCode,
			};

		case 'moved':
			return {
				message: `${who} answered HTTP ${statusCode}: the address has moved`,
				description: `${location ? `${location.trim()} ` : ''}The request was not handled at this address, so nothing was placed and it is safe to run this item again. ${checkSetting(request, baseUrl)}`,
				httpCode,
			};

		case 'failureBody':
			return {
				message: `${who} reported a failure: ${said ?? 'no reason given'}`,
				description: `HTTP ${statusCode} came back, but the body says the request failed, and nothing in it says otherwise. Nothing was placed; fix the cause and run this item again.`,
				httpCode,
			};

		case 'failureStatus':
			break;
	}

	if (request.api === 'account' && statusCode === 404 && !isTeleCmiCredentialRejection(body)) {
		return {
			message: 'No TeleCMI account API answered at the Account API URL (HTTP 404)',
			description: `The reply is not TeleCMI's answer to a wrong App ID or App Secret (JSON with code 404)${text ? `; it began: "${text.slice(0, 120)}"` : said ? `; it said: "${said}"` : ''}. ${checkSetting(request, baseUrl)} The node adds /v2/balance to it. Nothing was changed; it is safe to run this item again.`,
			httpCode,
		};
	}

	if (statusCode === 401 || statusCode === 403 || (request.api === 'account' && statusCode === 404)) {
		const rejected =
			request.api === 'account' ? 'TeleCMI rejected the App ID or App Secret' : 'Piopiy rejected the API token';
		const fix =
			request.api === 'account'
				? 'Check the App ID and App Secret of the Piopiy API credential (Piopiy dashboard → Apps).'
				: 'Check the API Token of the Piopiy API credential: copy it again from the Piopiy dashboard, it may have been revoked.';
		return { message: `${rejected} (HTTP ${statusCode})`, description: `${saidSentence}${fix} Nothing was placed.`, httpCode };
	}

	return {
		message: `${who} refused the request (HTTP ${statusCode}): ${said ?? 'no reason given'}`,
		description: 'The request was refused, so nothing was placed. Fix the cause and run this item again.',
		httpCode,
	};
}
