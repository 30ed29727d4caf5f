import { requireNumber, requireText } from '../helpers/validate';
import type { PiopiyRequest } from '../transport/types';
import { buildPcmoCallRequest, type AppCallUi } from '../mapping/appCalls';
import { buildTransferRequest } from '../mapping/callControl';
import type { PipelineActionUi, PromptUi } from '../mapping/pipeline';
import type { Question } from './question';

/**
 * Requests of the operations that ask and wait: one Play and Get Input whose result goes to this
 * execution's resume URL, sent with the pipeline builder's own checks (so the same rules hold as for
 * a Play and Get Input typed into a Transfer). What the answer is judged against comes from the
 * question record, so the person hears the keys that will be checked.
 */

/** The operations' names in the editor; messages about their question's fields start with them. */
export const ASK_AND_WAIT_NAME = 'Ask and Wait for Input';
export const CALL_AND_ASK_NAME = 'Call and Ask';

/** The question's fields (`questionFields`), named as the builder names them. */
export type QuestionUi = Pick<PipelineActionUi, keyof PromptUi | 'inputModes' | 'dtmfSettings' | 'retries'>;

function askAction(question: QuestionUi, resumeUrl: string): PipelineActionUi {
	return { ...question, type: 'playGetInput', onResultType: 'url', onResultUrl: resumeUrl };
}

/** Ask and Wait for Input: a transfer of one Play and Get Input onto the live call. */
export function buildAskRequest(ui: QuestionUi & { callId: unknown }, resumeUrl: string): PiopiyRequest {
	return buildTransferRequest({ callId: ui.callId, pipeline: { actions: [askAction(ui, resumeUrl)] }, actionPlace: ASK_AND_WAIT_NAME });
}

export interface ApprovalUi extends AppCallUi {
	message: unknown;
	promptLanguage?: unknown;
	promptVoiceId?: unknown;
	promptSpeed?: unknown;
	sayKeys?: unknown;
}

/**
 * Free Text: speech first, keys as well (a person in a noisy place may key in a number), ended by the
 * finish key. Piopiy publishes no speech settings for Play and Get Input (CONTRACT.md), so none are sent.
 */
function freeTextInput(question: Question): Pick<QuestionUi, 'inputModes' | 'dtmfSettings'> {
	return { inputModes: ['speech', 'dtmf'], dtmfSettings: { minDigits: 1, finishOnKey: question.finishKey } };
}

function approvalInput(ui: ApprovalUi, question: Question, message: string): Pick<QuestionUi, 'promptText' | 'inputModes' | 'dtmfSettings'> {
	const keys = `Press ${String(question.approveKey)} to approve, or ${String(question.declineKey)} to decline.`;
	return {
		promptText: ui.sayKeys === false ? message : `${message} ${keys}`,
		inputModes: ['dtmf'],
		dtmfSettings: { minDigits: 1, maxDigits: 1 },
	};
}

/** Call and Ask: a PCMO call whose pipeline speaks the message and takes one key, or the person's words. */
export function buildCallAndAskRequest(ui: ApprovalUi, question: Question, resumeUrl: string, credentialAppId?: string): PiopiyRequest {
	const message = requireText(`${CALL_AND_ASK_NAME} → Message`, ui.message);
	const input = question.kind === 'freeText' ? { promptText: message, ...freeTextInput(question) } : approvalInput(ui, question, message);
	const asked: QuestionUi = {
		promptType: 'say',
		promptLanguage: ui.promptLanguage,
		promptVoiceId: ui.promptVoiceId,
		promptSpeed: ui.promptSpeed ?? 1,
		...input,
	};
	const pipeline = { actions: [askAction(asked, resumeUrl)] };
	return buildPcmoCallRequest({ ...ui, pipeline, actionPlace: CALL_AND_ASK_NAME }, credentialAppId);
}

/** The wait limit in milliseconds, from the field in minutes (at least half a minute, at most a week). */
export function waitLimitMs(minutes: unknown): number {
	return Math.round(requireNumber('Wait Limit (Minutes)', minutes, 0.5, 7 * 24 * 60) * 60_000);
}
