import { SEND_AND_WAIT_OPERATION, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { decideApproval, type CallerAnswer, type Decision } from './answer';
import { ASK_AND_WAIT_NAME, CALL_AND_ASK_NAME } from './interactive';

/**
 * The output items of the operations that ask and wait (Ask and Wait for Input, Call and Ask):
 * built from the answer Piopiy posted, from the wait limit passing, or (as the AI Agent's human
 * review) from a call that could not be placed. Pure: actions/waiting.ts decides when, this module
 * says what the item holds.
 *
 * As n8n 2.x's human-review step (`piopiyHitlTool`), the item is what the AI Agent reads: n8n lets
 * the gated tool run only on `approved: true`; otherwise it tells the model "User rejected the tool
 * call", or, when the item has `chatInput`, "The user reviewed your planned tool call … and provided
 * feedback: "<chatInput>"" (processHitlResponses in @n8n/n8n-nodes-langchain). So only a decline
 * key goes without `chatInput`; every other outcome says in `chatInput` what really happened.
 */

export function operationLabel(operation: string): string {
	return operation === SEND_AND_WAIT_OPERATION ? CALL_AND_ASK_NAME : ASK_AND_WAIT_NAME;
}

/** Whether the node runs as n8n's human-review step of an AI Agent tool (node type `…HitlTool`). */
export function isAgentReview(nodeType: string): boolean {
	return nodeType.endsWith('HitlTool');
}

export interface AnswerSettings {
	operation: string;
	/** Call and Ask's Response Type: `approval` (keys) or `freeText` (words). */
	answerType: string;
	approve: string;
	decline: string;
	/** Runs as the AI Agent's human review: the item says in `chatInput` what happened. */
	agentReview: boolean;
}

const isFreeText = (settings: Pick<AnswerSettings, 'operation' | 'answerType'>) =>
	settings.operation === SEND_AND_WAIT_OPERATION && settings.answerType === 'freeText';

/** The person's answer as plain text: what they said, else the keys they typed (less the closing #). */
export function answerText(answer: CallerAnswer): string | null {
	if (answer.speech) return answer.speech;
	const keyed = answer.digits?.replace(/#$/, '');
	return keyed ? keyed : null;
}

/** What the AI Agent is told about an approval that neither approved nor declined. */
function approvalFeedback(decision: Decision, answer: CallerAnswer, settings: AnswerSettings): string | undefined {
	const keys = `the approve key is ${settings.approve}, the decline key ${settings.decline}`;
	if (decision === 'otherInput') {
		const given = answer.digits
			? `pressed ${answer.digits}`
			: answer.speech
				? `said "${answer.speech}"`
				: 'Piopiy posted an answer whose keys the node could not read';
		return `The person answered the approval call but ${given} (${keys}): the tool call was neither approved nor declined.`;
	}
	if (decision === 'noAnswer') return `The person answered the approval call but pressed no key (${keys}): the tool call was neither approved nor declined.`;
	return undefined;
}

/**
 * The output item for an answer. `response` is the body as Piopiy posted it, with a resume URL it
 * may echo already redacted by the caller (its signature would resume the run).
 */
export function answerItem(answer: CallerAnswer, response: IDataObject, settings: AnswerSettings): IDataObject {
	// A post that says nothing was entered (or holds nothing) is no answer, for both operations.
	const answered = !answer.nothingEntered;
	const json: IDataObject = { answered, outcome: answered ? 'answered' : 'noAnswer', digits: answer.digits, speech: answer.speech };
	if (isFreeText(settings)) {
		const text = answerText(answer);
		json.text = text;
		if (settings.agentReview) {
			// Words cannot approve: n8n hands them to the model as the reviewer's feedback.
			json.approved = false;
			json.chatInput = text ?? 'The person answered the call but said nothing and pressed no key.';
		}
	} else if (settings.operation === SEND_AND_WAIT_OPERATION) {
		const decision = decideApproval(answer, settings.approve, settings.decline);
		Object.assign(json, { approved: decision === 'approved', decision });
		const feedback = settings.agentReview ? approvalFeedback(decision, answer, settings) : undefined;
		if (feedback) json.chatInput = feedback;
	}
	json.call_id = answer.callId;
	json.response = response;
	return json;
}

/**
 * The item a time-out outputs: it says plainly that nobody answered, or is an error item saying so.
 * `askId` names this wait (actions/resumeUrl.ts): the waiting webhook reads it back from this item,
 * which n8n holds as the node's input while it waits. An error item can hold nothing but its error.
 */
export function noAnswerItem(settings: AnswerSettings, asError: boolean, limitMs: number, callId: unknown, askId: string): INodeExecutionData {
	const { operation } = settings;
	const minutes = Math.round((limitMs / 60_000) * 10) / 10;
	const said = `Nobody answered within ${minutes} minute${minutes === 1 ? '' : 's'}`;
	// As the AI Agent's review the item must say so to the model, whichever form it takes.
	const review: IDataObject = settings.agentReview
		? { approved: false, chatInput: `${said}: nobody approved or declined this tool call (the phone call to ask for approval went unanswered).` }
		: {};
	if (asError) return { json: { error: `${said} (${operationLabel(operation)})`, message: 'noAnswer', ...review }, pairedItem: { item: 0 } };
	const json: IDataObject = { answered: false, outcome: 'noAnswer', digits: null, speech: null };
	if (isFreeText(settings)) json.text = null;
	else if (operation === SEND_AND_WAIT_OPERATION) Object.assign(json, { approved: false, decision: 'noAnswer' });
	json.call_id = typeof callId === 'string' && callId !== '' ? callId : null;
	json.waitedMinutes = minutes;
	json.askId = askId;
	return { json: { ...json, ...review }, pairedItem: { item: 0 } };
}

/**
 * As the AI Agent's review: the item for an approval call that failed before anyone could answer
 * (bad input, Piopiy refusing, the network). n8n would tell the model "User rejected the tool call";
 * this says nobody was asked. `reason` is the node's error, message and description.
 */
export function notPlacedReviewItem(reason: string): INodeExecutionData {
	const unknown = /may have been placed/i.test(reason);
	const chatInput = unknown
		? `The approval call failed and no answer can come back (${reason}). Nobody approved or declined this tool call.`
		: `The approval call was not placed: ${reason} Nobody was asked; nobody approved or declined this tool call.`;
	return {
		json: { answered: false, outcome: 'notPlaced', approved: false, decision: 'notPlaced', call_id: null, error: reason, chatInput },
		pairedItem: { item: 0 },
	};
}
