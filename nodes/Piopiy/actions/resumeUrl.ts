import { randomUUID } from 'crypto';
import { SEND_AND_WAIT_OPERATION, type IExecuteFunctions } from 'n8n-workflow';

import { ANSWER_CHECK_PARAMETER, ASK_ID_PARAMETER, answerCheck } from '../helpers/answerCheck';
import type { PiopiyCredentials } from '../transport/types';

/**
 * Where Piopiy posts the caller's answer to a waiting execution (Ask and Wait, Call and Ask). It sits
 * below the operations, which build their request with it, and below the waiting runner
 * (actions/waiting.ts), which waits for the post: it imports neither the router nor the registry,
 * so imports run one way.
 */

export const ASK_AND_WAIT_OPERATION = 'askAndWait';

/** n8n's query parameter that carries the resume URL's signature (2.x) or resume token. */
export const SIGNATURE_PARAMETER = 'signature';
/** The query parameter of Ask and Wait's resume URL that names the call asked. */
export const CALL_ID_PARAMETER = 'call_id';

export interface ResumeUrl {
	url: string;
	/** The URL's signature, token and check: they resume the execution, so they are kept out of every output. */
	secrets: string[];
	/** This wait's own ID (helpers/answerCheck.ts); the waiting item holds it, for the webhook to compare. */
	askId: string;
	/** The call asked, as the URL names it; empty for Call and Ask, whose call is placed with the URL. */
	callId: string;
}

/** The URL made for a node run: the operation's `prepare` and the waiting runner both need it. */
const madeForRun = new WeakMap<IExecuteFunctions, ResumeUrl>();

/**
 * This node run's resume URL, made once per run (a new ask ID each time). Call and Ask
 * (`sendAndWait`) uses n8n's signed URL (`getSignedResumeUrl`, whose HMAC n8n checks for
 * `sendAndWait` operations: always on 2.x, on 1.x once the node asks for it with
 * `setSignatureValidationRequired`); the node's own parameters are passed to it, so they are signed
 * as well. Ask and Wait uses `$execution.resumeUrl` (on 2.x it carries the execution's resume token,
 * which n8n checks) under the node's ID, so that the waiting webhook matches. Both carry the ask ID
 * and the node's own check (helpers/answerCheck.ts), which the waiting webhook verifies on both lines.
 */
export function resumeUrlFor(context: IExecuteFunctions, credentials: PiopiyCredentials): ResumeUrl {
	const made = madeForRun.get(context);
	if (made) return made;
	const operation = context.getNodeParameter('operation', 0) as string;
	const nodeId = context.getNode().id;
	const askId = randomUUID();
	const callId = operation === SEND_AND_WAIT_OPERATION ? '' : String(context.getNodeParameter('callId', 0, '')).trim();
	const check = answerCheck(credentials.apiToken, { executionId: context.getExecutionId(), nodeId, callId, askId });
	let url: URL;
	if (operation === SEND_AND_WAIT_OPERATION) {
		// n8n 1.x checks the signature only when the node asks for it, as n8n's own send-and-wait nodes
		// do (2.x always checks it for `sendAndWait` and no longer has this method).
		(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		url = new URL(context.getSignedResumeUrl({ [ASK_ID_PARAMETER]: askId, [ANSWER_CHECK_PARAMETER]: check }));
	} else {
		url = new URL(String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
		url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(nodeId)}`;
		url.searchParams.set(CALL_ID_PARAMETER, callId);
		url.searchParams.set(ASK_ID_PARAMETER, askId);
		url.searchParams.set(ANSWER_CHECK_PARAMETER, check);
	}
	const secrets = [url.searchParams.get(SIGNATURE_PARAMETER), check].filter((secret): secret is string => !!secret);
	const resumeUrl = { url: url.toString(), secrets, askId, callId };
	madeForRun.set(context, resumeUrl);
	return resumeUrl;
}
