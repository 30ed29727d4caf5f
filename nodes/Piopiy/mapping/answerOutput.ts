import { SEND_AND_WAIT_OPERATION, type IDataObject, type INodeExecutionData } from 'n8n-workflow';

import { decideApproval, type CallerAnswer } from './answer';

/**
 * The output items of the operations that ask and wait (Ask and Wait for Input, Call and Ask):
 * built from the answer Piopiy posted, or from the wait limit passing. Pure: the waiting webhook and
 * the waiting run (actions/waiting.ts) decide when, this module says what the item holds.
 */

export function operationLabel(operation: string): string {
	return operation === SEND_AND_WAIT_OPERATION ? 'Call and Ask' : 'Ask and Wait for Input';
}

export interface AnswerKeys {
	approve: string;
	decline: string;
}

/**
 * The output item for an answer. `response` is the body as Piopiy posted it, with a resume URL it
 * may echo already redacted by the caller (its signature would resume the run).
 */
export function answerItem(operation: string, answer: CallerAnswer, response: IDataObject, keys: AnswerKeys): IDataObject {
	const json: IDataObject = { answered: true, outcome: 'answered', digits: answer.digits, speech: answer.speech };
	if (operation === SEND_AND_WAIT_OPERATION) {
		const decision = decideApproval(answer, keys.approve, keys.decline);
		Object.assign(json, { approved: decision === 'approved', decision });
	}
	json.call_id = answer.callId;
	json.response = response;
	return json;
}

/** The item a time-out outputs: it says plainly that nobody answered, or is an error item saying so. */
export function noAnswerItem(operation: string, asError: boolean, limitMs: number, callId: unknown): INodeExecutionData {
	const minutes = Math.round((limitMs / 60_000) * 10) / 10;
	const said = `Nobody answered within ${minutes} minute${minutes === 1 ? '' : 's'}`;
	if (asError) return { json: { error: `${said} (${operationLabel(operation)})`, message: 'noAnswer' }, pairedItem: { item: 0 } };
	const json: IDataObject = { answered: false, outcome: 'noAnswer', digits: null, speech: null };
	if (operation === SEND_AND_WAIT_OPERATION) Object.assign(json, { approved: false, decision: 'noAnswer' });
	json.call_id = typeof callId === 'string' && callId !== '' ? callId : null;
	json.waitedMinutes = minutes;
	return { json, pairedItem: { item: 0 } };
}
