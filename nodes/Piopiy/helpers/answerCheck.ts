import { createHmac, timingSafeEqual } from 'crypto';

/**
 * The check in Ask and Wait's resume URL. n8n 1.x checks the signature of a resume URL only for
 * `sendAndWait` operations, and its `$execution.resumeUrl` carries none, so anyone who can guess an
 * execution ID could resume it. The node therefore adds its own: an HMAC, keyed with the Piopiy API
 * token, of the execution, the node and the call asked. Only n8n (which holds the token) can make
 * it, and a URL made for one execution or call does not fit another.
 */

export const ANSWER_CHECK_PARAMETER = 'piopiy_check';

export function answerCheck(apiToken: string, executionId: string, nodeId: string, callId: string): string {
	return createHmac('sha256', apiToken).update(`piopiy-answer\n${executionId}\n${nodeId}\n${callId.toLowerCase()}`).digest('hex');
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
