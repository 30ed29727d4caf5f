import { createHmac, timingSafeEqual } from 'crypto';

/**
 * The node's own check in the resume URL of both waiting operations. n8n's own check is not enough:
 * on 1.x `$execution.resumeUrl` (Ask and Wait) carries none, so anyone who can guess an execution ID
 * could resume it; on 2.x its resume token and Call and Ask's signature are the same for every wait
 * of the execution. So the node adds an HMAC, keyed with the Piopiy API token, of the execution, the
 * node, the call asked (Ask and Wait; Call and Ask learns its call only when Piopiy replies) and the
 * ask ID, a random ID made for this one wait. Only n8n (which holds the token) can make it, and a
 * URL made for one execution, node, call or wait fits no other: an answer to an earlier question of
 * the same node (a loop) is refused.
 *
 * Keyed with the token, the check fails when the token is changed while an execution waits: the
 * answer is then refused and the wait ends at its limit (docs/interactive-calls.md says so).
 */

export const ANSWER_CHECK_PARAMETER = 'piopiy_check';
/** The query parameter that carries the ask ID (not a secret: the waiting item holds it too). */
export const ASK_ID_PARAMETER = 'piopiy_ask';

export interface AnswerBinding {
	executionId: string;
	nodeId: string;
	/** The call asked; empty when the URL is made before the call exists (Call and Ask). */
	callId: string;
	askId: string;
}

export function answerCheck(apiToken: string, { executionId, nodeId, callId, askId }: AnswerBinding): string {
	return createHmac('sha256', apiToken)
		.update(`piopiy-answer\n${executionId}\n${nodeId}\n${callId.toLowerCase()}\n${askId}`)
		.digest('hex');
}

export function answerCheckMatches(presented: unknown, expected: string): boolean {
	if (typeof presented !== 'string' || presented.length !== expected.length) return false;
	return timingSafeEqual(Buffer.from(presented), Buffer.from(expected));
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
