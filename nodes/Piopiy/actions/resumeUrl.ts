import { SEND_AND_WAIT_OPERATION, type IExecuteFunctions } from 'n8n-workflow';

import { ANSWER_CHECK_PARAMETER, answerCheck } from '../helpers/answerCheck';
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
}

/**
 * This execution's resume URL for the node. Call and Ask (`sendAndWait`) uses n8n's signed URL
 * (`getSignedResumeUrl`, whose HMAC n8n checks for `sendAndWait` operations: always on 2.x, on 1.x
 * once the node asks for it with `setSignatureValidationRequired`). Ask and
 * Wait uses `$execution.resumeUrl` (on 2.x it carries the execution's resume token, which n8n
 * checks) under the node's ID, so that the waiting webhook matches, with the call asked and
 * the node's own check (helpers/answerCheck.ts), which the waiting webhook verifies on both lines.
 */
export function resumeUrlFor(
	context: IExecuteFunctions,
	operation: string,
	credentials: PiopiyCredentials,
	callId = '',
): ResumeUrl {
	let url: URL;
	if (operation === SEND_AND_WAIT_OPERATION) {
		// n8n 1.x checks the signature only when the node asks for it, as n8n's own send-and-wait nodes
		// do (2.x always checks it for `sendAndWait` and no longer has this method).
		(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		url = new URL(context.getSignedResumeUrl());
	} else {
		url = new URL(String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
		const nodeId = context.getNode().id;
		url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(nodeId)}`;
		url.searchParams.set(CALL_ID_PARAMETER, callId);
		url.searchParams.set(ANSWER_CHECK_PARAMETER, answerCheck(credentials.apiToken, context.getExecutionId(), nodeId, callId));
	}
	const secrets = [url.searchParams.get(SIGNATURE_PARAMETER), url.searchParams.get(ANSWER_CHECK_PARAMETER)];
	return { url: url.toString(), secrets: secrets.filter((secret): secret is string => !!secret) };
}
