import { SEND_AND_WAIT_OPERATION, type IExecuteFunctions } from 'n8n-workflow';

import type { Question } from './question';
import { ANSWER_CHECK_PARAMETER, QUESTION_PARAMETER, sealQuestion } from './seal';

/** n8n's query parameter that carries the resume URL's signature (2.x) or resume token. */
export const SIGNATURE_PARAMETER = 'signature';

export interface ResumeUrl {
	url: string;
	/** The URL's signature, token and check: they resume the execution, so they are kept out of every output. */
	secrets: string[];
}

/**
 * Where Piopiy posts the answer to `question`, with the question sealed in it (seal.ts). Call and Ask
 * (`sendAndWait`) uses n8n's signed URL (`getSignedResumeUrl`, whose HMAC n8n checks for `sendAndWait`
 * operations: always on 2.x, on 1.x once the node asks for it with `setSignatureValidationRequired`),
 * with the sealed question among the signed parameters. Ask and Wait uses `$execution.resumeUrl` (on
 * 2.x it carries the execution's resume token, which n8n checks) under the node's ID, so that the
 * waiting webhook matches.
 */
export function resumeUrlFor(context: IExecuteFunctions, question: Question, apiToken: string): ResumeUrl {
	const sealed = sealQuestion(question, apiToken);
	const parameters = { [QUESTION_PARAMETER]: sealed.question, [ANSWER_CHECK_PARAMETER]: sealed.check };
	let url: URL;
	if (question.operation === SEND_AND_WAIT_OPERATION) {
		// n8n 1.x checks the signature only when the node asks for it, as n8n's own send-and-wait nodes
		// do (2.x always checks it for `sendAndWait` and no longer has this method).
		(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		url = new URL(context.getSignedResumeUrl(parameters));
	} else {
		url = new URL(String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
		url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(question.nodeId)}`;
		for (const [name, value] of Object.entries(parameters)) url.searchParams.set(name, value);
	}
	const secrets = [url.searchParams.get(SIGNATURE_PARAMETER), sealed.check].filter((secret): secret is string => !!secret);
	return { url: url.toString(), secrets };
}
