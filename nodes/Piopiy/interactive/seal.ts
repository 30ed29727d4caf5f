import { createHmac, timingSafeEqual } from 'crypto';

import { parseQuestion, type Question } from './question';

/**
 * The question record travels in the resume URL, sealed: `piopiy_q` is the record (JSON, base64url)
 * and `piopiy_check` an HMAC of it, keyed with the Piopiy API token. Only n8n, which holds the token,
 * can make a seal; a URL made for one execution, node, call or wait fits no other. For Call and Ask
 * both parameters are also under n8n's own signature (getSignedResumeUrl). The webhook checks the
 * seal's form before anything else, then verifies it, and only then reads the record and the body;
 * whatever fails is refused and the execution keeps waiting.
 *
 * Keyed with the token, the check fails when the token is changed while an execution waits: the
 * answer is then refused and the wait ends at its limit (docs/interactive-calls.md says so).
 */

export const ANSWER_CHECK_PARAMETER = 'piopiy_check';
export const QUESTION_PARAMETER = 'piopiy_q';

/** A record's encoded length at most: a real one is about 500 characters. */
const MAX_SEALED_LENGTH = 2048;
const CHECK_FORM = /^[0-9a-f]{64}$/;
const SEALED_FORM = /^[A-Za-z0-9_-]+$/;

export interface SealedQuestion {
	/** The record, JSON in base64url. */
	question: string;
	/** The HMAC over the execution, the node and the record. */
	check: string;
}

function checkOf(apiToken: string, executionId: string, nodeId: string, sealed: string): string {
	return createHmac('sha256', apiToken).update(`piopiy-question\nv1\n${executionId}\n${nodeId}\n${sealed}`).digest('hex');
}

export function sealQuestion(question: Question, apiToken: string): SealedQuestion {
	const sealed = Buffer.from(JSON.stringify(question), 'utf8').toString('base64url');
	return { question: sealed, check: checkOf(apiToken, question.executionId, question.nodeId, sealed) };
}

/** The execution and node IDs of a waiting-webhook URL path: `/webhook-waiting/<execution>/<node>`. */
export function waitingPathIds(path: string): { executionId: string; nodeId: string } | undefined {
	const segments = path.split('?')[0].split('/').filter((segment) => segment !== '');
	if (segments.length < 2) return undefined;
	const decode = (segment: string) => {
		try {
			return decodeURIComponent(segment);
		} catch {
			return segment;
		}
	};
	return { executionId: decode(segments[segments.length - 2]), nodeId: decode(segments[segments.length - 1]) };
}

/**
 * The question a post's URL carries, or undefined: the check and the record must have their form
 * (text of the right characters and length; no array, no non-ASCII) before anything is computed, the
 * check must be the HMAC of this execution, node and record, and the record must be one this node
 * makes, for this execution and node.
 */
export function openSealedQuestion(
	presented: { question: unknown; check: unknown },
	where: { executionId: string; nodeId: string },
	apiToken: string,
): Question | undefined {
	const { question: sealed, check } = presented;
	if (typeof check !== 'string' || !CHECK_FORM.test(check)) return undefined;
	if (typeof sealed !== 'string' || sealed.length > MAX_SEALED_LENGTH || !SEALED_FORM.test(sealed)) return undefined;
	const expected = checkOf(apiToken, where.executionId, where.nodeId, sealed);
	// Both are 64 ASCII hex characters here, so the buffers have the same length.
	if (!timingSafeEqual(Buffer.from(check, 'ascii'), Buffer.from(expected, 'ascii'))) return undefined;
	let record: unknown;
	try {
		record = JSON.parse(Buffer.from(sealed, 'base64url').toString('utf8'));
	} catch {
		return undefined;
	}
	const question = parseQuestion(record);
	if (!question || question.executionId !== where.executionId || question.nodeId !== where.nodeId) return undefined;
	return question;
}
