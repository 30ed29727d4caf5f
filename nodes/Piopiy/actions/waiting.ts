import {
	NodeOperationError,
	SEND_AND_WAIT_OPERATION,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { DEFAULT_WAIT_LIMIT_MINUTES } from '../descriptions/interactive.description';
import { ANSWER_CHECK_PARAMETER, ASK_ID_PARAMETER, answerCheck, answerCheckMatches, waitingPathIds } from '../helpers/answerCheck';
import { InvalidFieldError, attempt, describeReceived } from '../helpers/errors';
import { decideApproval, isAboutAnotherCall, readCallerAnswer, type CallerAnswer } from '../mapping/answer';
import { waitLimitMs } from '../mapping/interactive';
import type { PiopiyCredentials } from '../transport/types';
import { RESUME_URL_SECRET_PARAMETERS, redactSecrets, redactSecretsInData, redactSecretsInError } from '../../shared/redact';
import { ASK_AND_WAIT_OPERATION, CALL_ID_PARAMETER, resumeUrlFor } from './resumeUrl';
import { router } from './router';

/**
 * The operations that ask the caller and wait for the answer in the same execution (issue 17).
 *
 * How n8n waits (the same on 1.x and 2.x): the node sends its request, calls `putExecutionToWait`
 * and returns; the execution is stored as "waiting". A POST to the node's waiting webhook
 * (`webhooks` below, `restartWebhook: true`, path = the node's ID) with the right signature runs
 * `receiveAnswer`, whose item becomes the node's output, and the workflow goes on from there. When the
 * wait limit passes first, n8n does not run the node again: it forwards the node's input as its
 * output. So, before waiting, the node's input in the stored execution is replaced by the item that
 * says nobody answered; that is what a time-out outputs.
 */

/** The node's waiting webhook. One POST, under the node's ID, as n8n's own send-and-wait nodes do. */
export const answerWebhooks: IWebhookDescription[] = [
	{
		name: 'default',
		httpMethod: 'POST',
		responseMode: 'onReceived',
		responseData: '',
		path: '={{ $nodeId }}',
		restartWebhook: true,
		isFullPath: true,
	},
];

function operationLabel(operation: string): string {
	return operation === SEND_AND_WAIT_OPERATION ? 'Call and Ask' : 'Ask and Wait for Input';
}

/** The wait limit, read and checked before anything is sent. */
function readWaitLimitMs(context: IExecuteFunctions): number {
	const minutes = context.getNodeParameter('waitLimit', 0, DEFAULT_WAIT_LIMIT_MINUTES);
	const limit = attempt(() => waitLimitMs(minutes));
	if (limit.ok) return limit.value;
	const expected = limit.error instanceof InvalidFieldError ? limit.error.expected : 'a number of minutes';
	throw new NodeOperationError(context.getNode(), `Wait Limit (Minutes) is not valid: received ${describeReceived(minutes)}`, {
		description: `Expected ${expected}. Nothing was sent.`,
	});
}

/** The item a time-out outputs: it says plainly that nobody answered, or is an error item saying so. */
function noAnswerItem(operation: string, asError: boolean, limitMs: number, callId: unknown, askId: string): INodeExecutionData {
	const minutes = Math.round((limitMs / 60_000) * 10) / 10;
	const said = `Nobody answered within ${minutes} minute${minutes === 1 ? '' : 's'}`;
	if (asError) return { json: { error: `${said} (${operationLabel(operation)})`, message: 'noAnswer' }, pairedItem: { item: 0 } };
	const json: IDataObject = { answered: false, outcome: 'noAnswer', digits: null, speech: null };
	if (operation === SEND_AND_WAIT_OPERATION) Object.assign(json, { approved: false, decision: 'noAnswer' });
	json.call_id = typeof callId === 'string' && callId !== '' ? callId : null;
	json.waitedMinutes = minutes;
	json.askId = askId;
	return { json, pairedItem: { item: 0 } };
}

/**
 * Runs an operation that asks and waits: one input item only, the request sent by the router (with
 * its checks, refusals and never-twice rules), then the execution waits for the answer.
 */
export async function sendAndWaitForAnswer(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const items = this.getInputData();
	if (items.length > 1) {
		throw new NodeOperationError(
			this.getNode(),
			`${operationLabel(operation)} waits for one answer per run, and it received ${items.length} items: nothing was sent`,
			{
				description:
					'An execution can wait for one answer at a time. To ask several callers, put a Loop Over Items node (batch size 1) in front of this node, so each item is asked and answered in turn, or start one execution per item (Execute Workflow node).',
			},
		);
	}
	const limitMs = readWaitLimitMs(this);
	const asError = this.getNodeParameter('noAnswer', 0, 'output') === 'error';

	const credentials = (await this.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	// Made once for this run: the operation's request carries the same URL (see resumeUrlFor).
	const { secrets, askId, callId } = resumeUrlFor(this, credentials);
	let sent: INodeExecutionData;
	try {
		[[sent]] = await router.call(this);
	} catch (error) {
		throw redactSecretsInError(error, secrets, RESUME_URL_SECRET_PARAMETERS);
	}
	// With Continue On Fail a failed request is an error item: nothing to wait for.
	if (sent.json.error !== undefined) {
		return [[{ ...sent, json: { ...sent.json, error: redactSecrets(String(sent.json.error), secrets, RESUME_URL_SECRET_PARAMETERS) } }]];
	}

	const timedOut = noAnswerItem(operation, asError, limitMs, operation === SEND_AND_WAIT_OPERATION ? sent.json.call_id : callId, askId);
	// What n8n forwards when the wait limit passes (see above); the answer replaces it when it comes.
	const executeData = this.getExecuteData();
	if (executeData) executeData.data = { main: [[timedOut]] };
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return [[timedOut]];
}

/** The output item for an answer. */
export function answerItem(operation: string, answer: CallerAnswer, body: IDataObject, keys: { approve: string; decline: string }): IDataObject {
	// A post that says nothing was entered (or holds nothing) is no answer, for both operations.
	const answered = !answer.nothingEntered;
	const json: IDataObject = { answered, outcome: answered ? 'answered' : 'noAnswer', digits: answer.digits, speech: answer.speech };
	if (operation === SEND_AND_WAIT_OPERATION) {
		const decision = decideApproval(answer, keys.approve, keys.decline);
		Object.assign(json, { approved: decision === 'approved', decision });
	}
	json.call_id = answer.callId;
	// As it came, except a resume URL Piopiy may echo: its signature and check would resume the run.
	json.response = redactSecretsInData(body, [], RESUME_URL_SECRET_PARAMETERS);
	return json;
}

/**
 * A field of the item this wait stored. While the execution waits, the node's input is the item a
 * time-out would output (see above), and n8n evaluates `$json` of a waiting webhook against it: it
 * holds the call ID Piopiy replied with (Call and Ask) and the ask ID of this wait.
 */
function storedForThisWait(context: IWebhookFunctions, field: 'call_id' | 'askId'): string | null {
	const stored = attempt(() => context.evaluateExpression(`{{ $json.${field} }}`, 0));
	return stored.ok && typeof stored.value === 'string' && stored.value !== '' ? stored.value : null;
}

type Refusal = { status: number; error: string };

/**
 * Why a post may not resume this wait, if it may not (helpers/answerCheck.ts): it must come to the
 * URL this node made for this execution, call and wait (401), and not answer an earlier question of
 * the same node (409, a loop asks again under a new ask ID).
 */
async function refusalOfPost(context: IWebhookFunctions, query: IDataObject): Promise<Refusal | undefined> {
	const invalid = { status: 401, error: 'Invalid token' };
	const request = context.getRequestObject();
	const ids = waitingPathIds(request.originalUrl ?? request.url ?? '');
	if (!ids || ids.nodeId !== context.getNode().id) return invalid;
	const text = (name: string) => (typeof query[name] === 'string' ? (query[name] as string) : '');
	let credentials: PiopiyCredentials | undefined;
	try {
		credentials = (await context.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	} catch {
		// Without the token nothing can be checked: the post is refused and the execution keeps waiting.
		return invalid;
	}
	if (typeof credentials?.apiToken !== 'string' || credentials.apiToken === '') return invalid;
	const askId = text(ASK_ID_PARAMETER);
	const expected = answerCheck(credentials.apiToken, { ...ids, callId: text(CALL_ID_PARAMETER), askId });
	if (!answerCheckMatches(query[ANSWER_CHECK_PARAMETER], expected)) return invalid;
	// An error item (When Nobody Answers: Output an Error Item) can hold nothing but its error: there
	// the check binds execution, node and call, not the run (docs/interactive-calls.md).
	const waitingFor = storedForThisWait(context, 'askId');
	if (waitingFor !== null && waitingFor !== askId) {
		return { status: 409, error: 'This input answers an earlier question of this node; the execution keeps waiting' };
	}
	return undefined;
}

/**
 * The waiting webhook: Piopiy posts the caller's input here. n8n has checked Call and Ask's signature
 * (and, on 2.x, Ask and Wait's resume token) before; the node's own check is verified here. A post
 * that fails it (401), answers an earlier question (409) or is about another call (409) changes
 * nothing: the execution keeps waiting.
 * This must not throw: n8n would resume the execution with the error.
 */
export async function receiveAnswer(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const operation = this.getNodeParameter('operation', ASK_AND_WAIT_OPERATION) as string;
	const body = this.getBodyData() ?? {};
	const answer = readCallerAnswer(body);
	const query = this.getQueryData() as IDataObject;
	const refusal = await refusalOfPost(this, query);
	if (refusal) {
		this.getResponseObject().status(refusal.status).json({ error: refusal.error });
		return { noWebhookResponse: true };
	}
	const askedCallId = operation === SEND_AND_WAIT_OPERATION ? undefined : (query[CALL_ID_PARAMETER] as string);
	const callAsked = askedCallId || storedForThisWait(this, 'call_id') || undefined;
	if (isAboutAnotherCall(answer, callAsked)) {
		this.getResponseObject().status(409).json({ error: 'This input is about another call; the execution keeps waiting' });
		return { noWebhookResponse: true };
	}
	if (!answer.callId) answer.callId = callAsked ?? null;
	const key = (name: string, fallback: string) => {
		const value = attempt(() => this.getNodeParameter(name, fallback));
		return value.ok ? String(value.value) : fallback;
	};
	const keys = { approve: key('approveKey', '1'), decline: key('declineKey', '2') };
	return {
		webhookResponse: { received: true },
		workflowData: [[{ json: answerItem(operation, answer, body, keys), pairedItem: { item: 0 } }]],
	};
}
