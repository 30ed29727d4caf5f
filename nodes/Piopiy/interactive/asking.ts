import type { IExecuteFunctions } from 'n8n-workflow';

import { DEFAULT_WAIT_LIMIT_MINUTES } from '../descriptions/interactive.description';
import type { PiopiyCredentials, PiopiyRequest } from '../transport/types';
import { readParameters } from '../actions/types';
import { askedQuestion, type Question } from './question';
import { buildAskRequest, buildCallAndAskRequest, waitLimitMs, type ApprovalUi, type QuestionUi } from './request';
import { resumeUrlFor, type ResumeUrl } from './resumeUrl';

/** One item asked: its question record, the resume URL it is sealed in, and the request that asks it. */
export interface Asking {
	question: Question;
	resumeUrl: ResumeUrl;
	request: PiopiyRequest;
}

/**
 * Asks one item: the question record made once (question.ts), sealed into the resume URL, and the
 * request built from it, so the person hears the keys the answer will be checked against.
 */
export function askFor(context: IExecuteFunctions, itemIndex: number, credentials: PiopiyCredentials): Asking {
	const limitMs = waitLimitMs(context.getNodeParameter('waitLimit', itemIndex, DEFAULT_WAIT_LIMIT_MINUTES));
	const question = askedQuestion(context, itemIndex, limitMs);
	const resumeUrl = resumeUrlFor(context, question, credentials.apiToken);
	if (question.kind === 'input') {
		const ui = readParameters(context, itemIndex, {
			callId: '',
			promptType: 'file',
			promptFileName: '',
			promptText: '',
			promptLanguage: '',
			promptVoiceId: '',
			promptSpeed: 1,
			inputModes: ['dtmf'],
			dtmfSettings: {},
			retries: {},
		});
		return { question, resumeUrl, request: buildAskRequest(ui as QuestionUi & { callId: unknown }, resumeUrl.url) };
	}
	const ui = readParameters(context, itemIndex, {
		callerId: '',
		toNumber: '',
		appId: '',
		message: '',
		promptLanguage: '',
		promptVoiceId: '',
		promptSpeed: 1,
		sayKeys: true,
	});
	return { question, resumeUrl, request: buildCallAndAskRequest(ui as unknown as ApprovalUi, question, resumeUrl.url, credentials.appId) };
}
