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

import { APPROVAL_RESPONSE, DEFAULT_WAIT_LIMIT_MINUTES, RESPONSE_TYPE_PARAMETER } from '../descriptions/interactive.description';
import { ANSWER_CHECK_PARAMETER, ASK_ID_PARAMETER, answerCheck, answerCheckMatches, waitingPathIds } from '../helpers/answerCheck';
import { InvalidFieldError, attempt, describeReceived, joinSentences } from '../helpers/errors';
import { isAboutAnotherCall, readCallerAnswer } from '../mapping/answer';
import { answerItem, isAgentReview, noAnswerItem, notPlacedReviewItem, operationLabel, type AnswerSettings } from '../mapping/answerOutput';
import { waitLimitMs } from '../mapping/interactive';
import type { PiopiyCredentials } from '../transport/types';
import { RESUME_URL_SECRET_PARAMETERS, redactSecrets, redactSecretsInData, redactSecretsInError } from '../../shared/redact';
import { ASK_AND_WAIT_OPERATION, CALL_ID_PARAMETER, resumeUrlFor } from './resumeUrl';
import { refuseRun, router } from './router';

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

/**
 * The wait limit, or why this run is refused before anything is sent: more than one item (an
 * execution waits for one answer at a time), or a wait limit that is not valid.
 */
function waitLimitOrRefusal(context: IExecuteFunctions, operation: string): { limitMs: number } | { refusal: NodeOperationError } {
	const count = context.getInputData().length;
	if (count > 1) {
		return {
			refusal: new NodeOperationError(
				context.getNode(),
				`${operationLabel(operation)} waits for one answer per run, and it received ${count} items: nothing was sent`,
				{
					description:
						'An execution can wait for one answer at a time. To ask several callers, put a Loop Over Items node (batch size 1) in front of this node, so each item is asked and answered in turn, or start one execution per item (Execute Workflow node).',
				},
			),
		};
	}
	const minutes = context.getNodeParameter('waitLimit', 0, DEFAULT_WAIT_LIMIT_MINUTES);
	const limit = attempt(() => waitLimitMs(minutes));
	if (limit.ok) return { limitMs: limit.value };
	const expected = limit.error instanceof InvalidFieldError ? limit.error.expected : 'a number of minutes';
	return {
		refusal: new NodeOperationError(context.getNode(), `Wait Limit (Minutes) is not valid: received ${describeReceived(minutes)}`, {
			description: `Expected ${expected}. Nothing was sent.`,
		}),
	};
}

/**
 * What the output items depend on, read the same way when asking and when the answer comes. A value
 * that cannot be read falls back to the default, since the waiting webhook must not throw.
 */
function answerSettings(operation: string, nodeType: string, read: (name: string) => unknown): AnswerSettings {
	const text = (name: string, fallback: string) => {
		const value = attempt(() => read(name));
		return value.ok && value.value !== undefined && value.value !== null ? String(value.value) : fallback;
	};
	return {
		operation,
		answerType: operation === SEND_AND_WAIT_OPERATION ? text(RESPONSE_TYPE_PARAMETER, APPROVAL_RESPONSE) : APPROVAL_RESPONSE,
		approve: text('approveKey', '1'),
		decline: text('declineKey', '2'),
		agentReview: isAgentReview(nodeType),
	};
}

/**
 * Runs an operation that asks and waits: one input item only, the request sent by the router (with
 * its checks, refusals and never-twice rules), then the execution waits for the answer.
 */
export async function sendAndWaitForAnswer(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const checked = waitLimitOrRefusal(this, operation);
	// Every input item comes out failed, as the router's refusals do (not passed on as if asked).
	if ('refusal' in checked) return refuseRun(this, checked.refusal);
	const { limitMs } = checked;
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

	const settings = answerSettings(operation, this.getNode().type, (name) => this.getNodeParameter(name, 0));
	const timedOut = noAnswerItem(settings, asError, limitMs, operation === SEND_AND_WAIT_OPERATION ? sent.json.call_id : callId, askId);
	// What n8n forwards when the wait limit passes (see above); the answer replaces it when it comes.
	const executeData = this.getExecuteData();
	if (executeData) executeData.data = { main: [[timedOut]] };
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return [[timedOut]];
}

/** An error's message and description, as one text ending a sentence (more words follow it). */
function reasonOf(error: unknown): string {
	if (!(error instanceof Error)) return String(error);
	const { description } = error as { description?: unknown };
	const text = joinSentences(error.message, typeof description === 'string' ? description : undefined);
	return /[.!?]$/.test(text) ? text : `${text}.`;
}

/**
 * Call and Ask as the AI Agent's human review (n8n 2.x, `piopiyHitlTool`). n8n turns a failed review
 * node into "User rejected the tool call", so an approval call that could not be placed (bad input,
 * Piopiy refusing, the network) comes out as an item that tells the model so (notPlacedReviewItem).
 */
async function askForAgentReview(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	// In the legacy order n8n resumes the agent before it runs the review node (handleRequest in
	// n8n-core): the agent reads "rejected" whatever the person presses, and the call would come after
	// the agent has moved on. n8n's own review nodes fare the same; this one says so before calling.
	if (this.getWorkflowSettings().executionOrder !== 'v1') {
		throw new NodeOperationError(
			this.getNode(),
			'Call and Ask as the AI Agent\'s human review needs the workflow setting Execution Order set to "v1 (recommended)": nothing was sent',
			{
				description:
					'This workflow has no execution order (it was made in an older n8n), so n8n runs it in the legacy order, where the AI Agent goes on before its human review has run. Open the workflow\'s Settings, set Execution Order to "v1 (recommended)", save, and run again.',
			},
		);
	}
	let output: INodeExecutionData[][];
	try {
		output = await sendAndWaitForAnswer.call(this);
	} catch (error) {
		return [[notPlacedReviewItem(reasonOf(error))]];
	}
	const [first] = output[0] ?? [];
	// An error item without `chatInput` is a failed request (Continue On Fail), not the time-out's item.
	if (first && first.json.error !== undefined && first.json.chatInput === undefined) {
		return [[notPlacedReviewItem(String(first.json.error))]];
	}
	return output;
}

/** Runs Ask and Wait for Input or Call and Ask, as a node or as the AI Agent's human review. */
export async function runWaitingOperation(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const { type } = this.getNode();
	if (isAgentReview(type)) return await askForAgentReview.call(this);
	// The plain tool variant does not offer these operations (actions/operations.ts); a workflow saved
	// before that still reaches here. Said as items: that is what the model reads.
	if (type.endsWith('Tool')) {
		const operation = this.getNodeParameter('operation', 0) as string;
		const error = `${operationLabel(operation)} cannot run as an AI Agent tool: it waits minutes for a phone answer, and a tool call cannot wait. Nothing was sent. To have a person approve a tool call by phone, connect Call and Ask to that tool as its human review (n8n 2.x).`;
		return [this.getInputData().map((_, item) => ({ json: { error, message: 'notSent' }, pairedItem: { item } }))];
	}
	return await sendAndWaitForAnswer.call(this);
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
	const settings = answerSettings(operation, this.getNode().type, (name) => this.getNodeParameter(name));
	return {
		webhookResponse: { received: true },
		// As it came, except a resume URL Piopiy may echo: its signature and check would resume the run.
		workflowData: [[{ json: answerItem(answer, redactSecretsInData(body, [], RESUME_URL_SECRET_PARAMETERS), settings), pairedItem: { item: 0 } }]],
	};
}
