import { randomUUID } from 'crypto';
import { SEND_AND_WAIT_OPERATION, type IExecuteFunctions } from 'n8n-workflow';

import { APPROVAL_RESPONSE, FREE_TEXT_RESPONSE, RESPONSE_TYPE_PARAMETER } from '../descriptions/interactive.description';
import { InvalidFieldError } from '../helpers/errors';

/**
 * The record of one question: what was asked, of whom, and what its answer is judged against. Made
 * once, by `askedQuestion`, the only code that reads the parameters that decide an answer's outcome.
 * The prompt, the request, the time-out item and the judging of a post all use it; it travels sealed
 * in the resume URL (seal.ts), so the answer step opens it rather than reading the node's parameters
 * again against other data (an expression such as `={{ $json.approveKey }}` would come out otherwise).
 */

export const ASK_AND_WAIT_OPERATION = 'askAndWait';

/** The finish key of Piopiy's keypad input: it ends the input and may come back after the keys. */
export const FINISH_KEY = '#';

/**
 * What kind of answer the question takes: `approval` (Call and Ask, one key approves, one declines),
 * `freeText` (Call and Ask, the person's words or keys) or `input` (Ask and Wait, whatever the caller
 * enters; nothing approves).
 */
export type QuestionKind = 'approval' | 'freeText' | 'input';

export interface Question {
	/** The record's version: a record of another version is refused, not guessed at. */
	v: 1;
	operation: typeof ASK_AND_WAIT_OPERATION | typeof SEND_AND_WAIT_OPERATION;
	kind: QuestionKind;
	/** Approval only: the one key that approves and the one that declines; null otherwise. */
	approveKey: string | null;
	declineKey: string | null;
	/** The key that ends keypad input, which Piopiy may post after the keys. */
	finishKey: string;
	/** A random ID made for this one wait. */
	askId: string;
	executionId: string;
	nodeId: string;
	/** The node's run in this execution (a loop runs it again). */
	runIndex: number;
	/** The call asked: Ask and Wait's live call; null for Call and Ask until Piopiy replies with it. */
	callId: string | null;
	/** Runs as the AI Agent's human review (`…HitlTool`): the items tell the agent what happened. */
	agentReview: boolean;
	waitLimitMs: number;
}

/** Whether the node runs as n8n's human-review step of an AI Agent tool (node type `…HitlTool`). */
export function isAgentReview(nodeType: string): boolean {
	return nodeType.endsWith('HitlTool');
}

/** The keys a person may press for Approve and Decline: one key each (not the finish key), not the same one. */
export function approvalKeysProblem(approveKey: unknown, declineKey: unknown): string | undefined {
	const oneKey = (key: unknown) => typeof key === 'string' && /^[0-9*]$/.test(key);
	if (!oneKey(approveKey)) return 'Approve Key';
	if (!oneKey(declineKey) || declineKey === approveKey) return 'Decline Key';
	return undefined;
}

/** What Approve Key and Decline Key accept, for the message that refuses one. */
export const APPROVAL_KEY_EXPECTED = `one key of the keypad (0-9 or *), different for Approve and Decline (${FINISH_KEY} is the finish key, which ends the input, so it cannot be an answer)`;

/** What the parameters that decide an answer hold for one item (read by `askedQuestion`, pure to check). */
export interface QuestionParameters {
	operation: string;
	answerType: unknown;
	approveKey: unknown;
	declineKey: unknown;
	/** Ask and Wait's DTMF Settings → Finish On Key. */
	finishOnKey: unknown;
	/** Ask and Wait's Call ID. */
	callId: unknown;
}

export interface QuestionPlace {
	askId: string;
	executionId: string;
	nodeId: string;
	runIndex: number;
	agentReview: boolean;
	waitLimitMs: number;
}

/**
 * The record from the parameters' values; throws InvalidFieldError (nothing is sent) when a value
 * that decides the outcome is not valid. Nothing falls back to a default here.
 */
export function questionFrom(parameters: QuestionParameters, place: QuestionPlace): Question {
	const base = { v: 1 as const, ...place, approveKey: null, declineKey: null, finishKey: FINISH_KEY, callId: null };
	if (parameters.operation !== SEND_AND_WAIT_OPERATION) {
		// Any other value is refused by the pipeline builder, from the same field, before anything is sent.
		const finishKey = typeof parameters.finishOnKey === 'string' && parameters.finishOnKey.length === 1 ? parameters.finishOnKey : FINISH_KEY;
		const callId = typeof parameters.callId === 'string' ? parameters.callId.trim() : '';
		return { ...base, operation: ASK_AND_WAIT_OPERATION, kind: 'input', finishKey, callId: callId === '' ? null : callId };
	}
	const answerType = parameters.answerType ?? APPROVAL_RESPONSE;
	if (answerType === FREE_TEXT_RESPONSE) return { ...base, operation: SEND_AND_WAIT_OPERATION, kind: 'freeText' };
	if (answerType !== APPROVAL_RESPONSE) throw new InvalidFieldError('Response Type', answerType, '"approval" or "freeText"');
	const badKey = approvalKeysProblem(parameters.approveKey, parameters.declineKey);
	if (badKey) throw new InvalidFieldError(badKey, badKey === 'Approve Key' ? parameters.approveKey : parameters.declineKey, APPROVAL_KEY_EXPECTED);
	return {
		...base,
		operation: SEND_AND_WAIT_OPERATION,
		kind: 'approval',
		approveKey: parameters.approveKey as string,
		declineKey: parameters.declineKey as string,
	};
}

/**
 * The question of one item of this run, read from the node's parameters once, with a new ask ID.
 * The only reader of the parameters that decide an answer's outcome.
 */
export function askedQuestion(context: IExecuteFunctions, itemIndex: number, waitLimitMs: number): Question {
	const operation = context.getNodeParameter('operation', itemIndex) as string;
	const read = (name: string, fallback: unknown) => context.getNodeParameter(name, itemIndex, fallback);
	const callAndAsk = operation === SEND_AND_WAIT_OPERATION;
	const answerType = callAndAsk ? read(RESPONSE_TYPE_PARAMETER, APPROVAL_RESPONSE) : undefined;
	const approval = callAndAsk && answerType === APPROVAL_RESPONSE;
	const dtmfSettings = callAndAsk ? {} : (read('dtmfSettings', {}) as { finishOnKey?: unknown });
	const node = context.getNode();
	return questionFrom(
		{
			operation,
			answerType,
			// The editor's defaults are the fields' own defaults (descriptions/interactive.description.ts).
			approveKey: approval ? read('approveKey', '1') : undefined,
			declineKey: approval ? read('declineKey', '2') : undefined,
			finishOnKey: dtmfSettings?.finishOnKey,
			callId: callAndAsk ? undefined : String(read('callId', '')),
		},
		{
			askId: randomUUID(),
			executionId: String(context.getExecutionId()),
			nodeId: node.id,
			runIndex: Number(context.evaluateExpression('{{ $runIndex }}', itemIndex)) || 0,
			agentReview: isAgentReview(node.type),
			waitLimitMs,
		},
	);
}

const isText = (value: unknown, max = 200): value is string => typeof value === 'string' && value.length <= max;
const isKeyOrNull = (value: unknown) => value === null || (typeof value === 'string' && /^[0-9*#]$/.test(value));

/**
 * A record read back from a sealed URL, checked field by field: anything unexpected is undefined (the
 * post is then refused). The seal proves the node made it; this guards against a record of another
 * version of the node.
 */
export function parseQuestion(value: unknown): Question | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
	const record = value as Record<string, unknown>;
	const kinds: Record<QuestionKind, string> = { approval: SEND_AND_WAIT_OPERATION, freeText: SEND_AND_WAIT_OPERATION, input: ASK_AND_WAIT_OPERATION };
	const valid =
		record.v === 1 &&
		typeof record.kind === 'string' &&
		Object.prototype.hasOwnProperty.call(kinds, record.kind) &&
		record.operation === kinds[record.kind as QuestionKind] &&
		isKeyOrNull(record.approveKey) &&
		isKeyOrNull(record.declineKey) &&
		(record.kind === 'approval') === (record.approveKey !== null && record.declineKey !== null) &&
		typeof record.finishKey === 'string' &&
		record.finishKey.length === 1 &&
		isText(record.askId) &&
		record.askId !== '' &&
		isText(record.executionId) &&
		isText(record.nodeId) &&
		Number.isSafeInteger(record.runIndex) &&
		(record.callId === null || isText(record.callId)) &&
		typeof record.agentReview === 'boolean' &&
		typeof record.waitLimitMs === 'number' &&
		Number.isFinite(record.waitLimitMs);
	if (!valid) return undefined;
	const { v, operation, kind, approveKey, declineKey, finishKey, askId, executionId, nodeId, runIndex, callId, agentReview, waitLimitMs } = record;
	return { v, operation, kind, approveKey, declineKey, finishKey, askId, executionId, nodeId, runIndex, callId, agentReview, waitLimitMs } as Question;
}

/** What an output item says it was judged against: the question, without anything that resumes it. */
export function questionSummary(question: Question): Record<string, string | number | boolean | null> {
	const summary: Record<string, string | number | boolean | null> = { kind: question.kind, askId: question.askId, runIndex: question.runIndex };
	if (question.kind === 'approval') Object.assign(summary, { approveKey: question.approveKey, declineKey: question.declineKey });
	summary.finishKey = question.finishKey;
	return summary;
}
