import { InvalidFieldError } from '../helpers/errors';
import { requireNumber, requireText } from '../helpers/validate';
import type { PiopiyRequest } from '../transport/types';
import { approvalKeysProblem } from './answer';
import { buildPcmoCallRequest, type AppCallUi } from './appCalls';
import { buildTransferRequest } from './callControl';
import type { PipelineActionUi, PromptUi } from './pipeline';

/**
 * Requests of the operations that ask and wait: one Play and Get Input whose result goes to this
 * execution's resume URL, sent with the pipeline builder's own checks (so the same rules hold as for
 * a Play and Get Input typed into a Transfer).
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
	approveKey: unknown;
	declineKey: unknown;
	sayKeys?: unknown;
}

/** Call and Ask: a PCMO call whose pipeline speaks the message and takes one key. */
export function buildCallAndAskRequest(ui: ApprovalUi, resumeUrl: string, credentialAppId?: string): PiopiyRequest {
	const badKey = approvalKeysProblem(ui.approveKey, ui.declineKey);
	if (badKey) {
		throw new InvalidFieldError(badKey, badKey === 'Approve Key' ? ui.approveKey : ui.declineKey, 'one key of the keypad (0-9, * or #), different for Approve and Decline');
	}
	const message = requireText(`${CALL_AND_ASK_NAME} → Message`, ui.message);
	const keys = `Press ${String(ui.approveKey)} to approve, or ${String(ui.declineKey)} to decline.`;
	const question: QuestionUi = {
		promptType: 'say',
		promptText: ui.sayKeys === false ? message : `${message} ${keys}`,
		promptLanguage: ui.promptLanguage,
		promptVoiceId: ui.promptVoiceId,
		promptSpeed: ui.promptSpeed ?? 1,
		inputModes: ['dtmf'],
		dtmfSettings: { minDigits: 1, maxDigits: 1 },
	};
	const pipeline = { actions: [askAction(question, resumeUrl)] };
	return buildPcmoCallRequest({ ...ui, pipeline, actionPlace: CALL_AND_ASK_NAME }, credentialAppId);
}

/** The wait limit in milliseconds, from the field in minutes (at least half a minute, at most a week). */
export function waitLimitMs(minutes: unknown): number {
	return Math.round(requireNumber('Wait Limit (Minutes)', minutes, 0.5, 7 * 24 * 60) * 60_000);
}
