import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { DEFAULT_WAIT_LIMIT_MINUTES } from '../descriptions/interactive.description';
import { InvalidFieldError, attempt, describeReceived, joinSentences } from '../helpers/errors';
import type { PiopiyCredentials } from '../transport/types';
import { refuseRun, router } from '../actions/router';
import type { PiopiyOperation } from '../actions/types';
import { RESUME_URL_SECRET_PARAMETERS, redactSecrets, redactSecretsInData, redactSecretsInError } from '../../shared/redact';
import { askFor, type Asking } from './asking';
import { answerItem, noAnswerItem, notPlacedReviewItem, operationLabel } from './items';
import { judgeAnswerPost } from './post';
import { isAgentReview, type Question } from './question';
import { waitLimitMs } from './request';
import { SIGNATURE_PARAMETER } from './resumeUrl';
import { ANSWER_CHECK_PARAMETER, QUESTION_PARAMETER, openSealedQuestion, waitingPathIds } from './seal';

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
 * Why this run is refused before anything is sent, if it is: more than one item (an execution waits
 * for one answer at a time), or a wait limit that is not valid.
 */
function runRefusal(context: IExecuteFunctions, operation: string): NodeOperationError | undefined {
	const count = context.getInputData().length;
	if (count > 1) {
		return new NodeOperationError(
			context.getNode(),
			`${operationLabel(operation)} waits for one answer per run, and it received ${count} items: nothing was sent`,
			{
				description:
					'An execution can wait for one answer at a time. To ask several callers, put a Loop Over Items node (batch size 1) in front of this node, so each item is asked and answered in turn, or start one execution per item (Execute Workflow node).',
			},
		);
	}
	const minutes = context.getNodeParameter('waitLimit', 0, DEFAULT_WAIT_LIMIT_MINUTES);
	const limit = attempt(() => waitLimitMs(minutes));
	if (limit.ok) return undefined;
	const expected = limit.error instanceof InvalidFieldError ? limit.error.expected : 'a number of minutes';
	return new NodeOperationError(context.getNode(), `Wait Limit (Minutes) is not valid: received ${describeReceived(minutes)}`, {
		description: `Expected ${expected}. Nothing was sent.`,
	});
}

/**
 * Runs an operation that asks and waits: one input item only, the request sent by the router (with
 * its checks, refusals and never-twice rules), then the execution waits for the answer. The question
 * is made once, as the request is prepared (asking.ts), and kept with the wait: sealed in the resume
 * URL, and in the item a time-out outputs, which n8n holds as the node's input while it waits.
 */
export async function sendAndWaitForAnswer(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const refusal = runRefusal(this, operation);
	// Every input item comes out failed, as the router's refusals do (not passed on as if asked).
	if (refusal) return refuseRun(this, refusal);
	const asError = this.getNodeParameter('noAnswer', 0, 'output') === 'error';

	let asked: Asking | undefined;
	const prepare: PiopiyOperation['prepare'] = function (itemIndex, credentials) {
		asked = askFor(this, itemIndex, credentials);
		return asked.request;
	};
	let sent: INodeExecutionData;
	try {
		[[sent]] = await router.call(this, prepare);
	} catch (error) {
		throw redactSecretsInError(error, (asked as Asking | undefined)?.resumeUrl.secrets ?? [], RESUME_URL_SECRET_PARAMETERS);
	}
	const asking = asked as Asking | undefined;
	// With Continue On Fail a failed request is an error item: nothing to wait for.
	if (sent.json.error !== undefined) {
		const error = redactSecrets(String(sent.json.error), asking?.resumeUrl.secrets ?? [], RESUME_URL_SECRET_PARAMETERS);
		return [[{ ...sent, json: { ...sent.json, error } }]];
	}
	// The router sent the item it prepared with `prepare`: without its question there is nothing to wait for.
	if (!asking) throw new NodeOperationError(this.getNode(), 'Internal error: the question was sent but not recorded, so no answer could be checked');

	const { question } = asking;
	const json = noAnswerItem(question, asError, question.callId ?? sent.json.call_id);
	// The stored item keeps the ask ID and the call in every mode: the waiting webhook reads them back
	// from it. An error item can keep them only as an item whose `error` is set, which n8n (1.x and 2.x)
	// sends to the error output whatever its json holds, and outputs as `{ "error": <message> }`. As the
	// AI Agent's review the item must stay what the agent reads (`approved`, `chatInput`).
	const timedOut: INodeExecutionData =
		asError && !question.agentReview
			? { json, error: new NodeOperationError(this.getNode(), String(json.error)), pairedItem: { item: 0 } }
			: { json, pairedItem: { item: 0 } };
	// What n8n forwards when the wait limit passes (see above); the answer replaces it when it comes.
	const executeData = this.getExecuteData();
	if (executeData) executeData.data = { main: [[timedOut]] };
	await this.putExecutionToWait(new Date(Date.now() + question.waitLimitMs));
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
 * holds the ask ID of this wait and the call asked or placed.
 */
function storedForThisWait(context: IWebhookFunctions, field: 'call_id' | 'askId'): string | null {
	const stored = attempt(() => context.evaluateExpression(`{{ $json.${field} }}`, 0));
	return stored.ok && typeof stored.value === 'string' && stored.value !== '' ? stored.value : null;
}

type Refusal = { status: number; error: string };

const INVALID: Refusal = { status: 401, error: 'Invalid token' };

/**
 * The question a post answers, opened from its URL, or why the post may not resume this wait: the
 * seal must have its form and be the one this node made for this execution (401), and the question
 * must be the one this wait asked (409: a loop asks again under a new ask ID). The body is not read
 * before this passes.
 */
async function questionOfPost(context: IWebhookFunctions, query: IDataObject): Promise<{ question: Question; secrets: string[] } | Refusal> {
	const presented = { question: query[QUESTION_PARAMETER], check: query[ANSWER_CHECK_PARAMETER] };
	if (typeof presented.check !== 'string' || typeof presented.question !== 'string') return INVALID;
	const request = context.getRequestObject();
	const ids = waitingPathIds(String(request.originalUrl ?? request.url ?? ''));
	if (!ids || ids.nodeId !== context.getNode().id) return INVALID;
	let credentials: PiopiyCredentials | undefined;
	try {
		credentials = (await context.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	} catch {
		// Without the token nothing can be checked: the post is refused and the execution keeps waiting.
		return INVALID;
	}
	if (typeof credentials?.apiToken !== 'string' || credentials.apiToken === '') return INVALID;
	const question = openSealedQuestion(presented, ids, credentials.apiToken);
	if (!question) return INVALID;
	// A stored ask ID that is missing cannot be checked: refused, never waved through.
	if (storedForThisWait(context, 'askId') !== question.askId) {
		return { status: 409, error: 'This input answers an earlier question of this node; the execution keeps waiting' };
	}
	const signature = query[SIGNATURE_PARAMETER];
	const secrets = [credentials.apiToken, credentials.appSecret, presented.check, typeof signature === 'string' ? signature : undefined];
	return { question, secrets: secrets.filter((secret): secret is string => typeof secret === 'string' && secret !== '') };
}

function refuse(context: IWebhookFunctions, refusal: Refusal): IWebhookResponseData {
	try {
		context.getResponseObject().status(refusal.status).json({ error: refusal.error });
	} catch {
		// Nothing more can be said to the poster; the execution keeps waiting all the same.
	}
	return { noWebhookResponse: true };
}

async function answerOrRefusal(context: IWebhookFunctions): Promise<IWebhookResponseData> {
	const query = (context.getQueryData() ?? {}) as IDataObject;
	const opened = await questionOfPost(context, query);
	if ('status' in opened) return refuse(context, opened);
	const { question, secrets } = opened;
	const placedCallId = question.callId ?? storedForThisWait(context, 'call_id');
	// n8n hands a body it does not parse (text/plain, …) over as `{}`, which would read as an empty answer.
	const contentType = String((context.getHeaderData() as IDataObject)['content-type'] ?? '');
	if (contentType !== '' && !/json|x-www-form-urlencoded/i.test(contentType)) {
		return refuse(context, { status: 415, error: 'Expected a JSON object; the execution keeps waiting' });
	}
	const body: unknown = context.getBodyData() ?? {};
	const judgement = judgeAnswerPost(body, question, placedCallId);
	if (!judgement.resumes) return refuse(context, judgement);
	// Kept as it came, less the token, the app secret, and a resume URL Piopiy may echo (its
	// signature and check would resume the run).
	const response = redactSecretsInData(body as IDataObject, secrets, RESUME_URL_SECRET_PARAMETERS);
	return {
		webhookResponse: { received: true },
		workflowData: [[{ json: answerItem(judgement, question, placedCallId, response), pairedItem: { item: 0 } }]],
	};
}

/**
 * The waiting webhook: Piopiy posts the caller's input here. n8n has checked Call and Ask's signature
 * (and, on 2.x, Ask and Wait's resume token) before; the node's own seal is verified here, then the
 * post is judged against the question it seals (post.ts). A post refused (401, 409, 413, 415) changes
 * nothing: the execution keeps waiting. This never throws: n8n would resume the execution with the
 * error.
 */
export async function receiveAnswer(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	try {
		return await answerOrRefusal(this);
	} catch {
		return refuse(this, { status: 400, error: 'The post could not be read; the execution keeps waiting' });
	}
}
