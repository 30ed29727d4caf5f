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
import { ANSWER_CHECK_PARAMETER, answerCheck, answerCheckMatches, waitingPathIds } from '../helpers/answerCheck';
import { InvalidFieldError, attempt, describeReceived } from '../helpers/errors';
import { decideApproval, isAboutAnotherCall, readCallerAnswer, type CallerAnswer } from '../mapping/answer';
import { ASK_AND_WAIT_NAME, CALL_AND_ASK_NAME, waitLimitMs } from '../mapping/interactive';
import type { PiopiyCredentials } from '../transport/types';
import { redactSecrets } from '../../shared/redact';
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

export const ASK_AND_WAIT_OPERATION = 'askAndWait';

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

/** n8n's query parameter that carries the resume URL's signature (2.x) or resume token. */
const SIGNATURE_PARAMETER = 'signature';
/** The query parameter of Ask and Wait's resume URL that names the call asked. */
const CALL_ID_PARAMETER = 'call_id';

export interface ResumeUrl {
	url: string;
	/** The URL's signature, token and check: they resume the execution, so they are kept out of every output. */
	secrets: string[];
}

/**
 * This execution's resume URL for the node. Call and Ask (`sendAndWait`) uses n8n's signed URL
 * (`getSignedResumeUrl`, whose HMAC n8n checks for `sendAndWait` operations: always on 2.x, on 1.x
 * once the node asks for it with `setSignatureValidationRequired`). Ask and
 * Wait uses `$execution.resumeUrl` (on 2.x it carries the execution's resume token, which n8n
 * checks) under the node's ID, so that the waiting webhook above matches, with the call asked and
 * the node's own check (helpers/answerCheck.ts), which `receiveAnswer` verifies on both lines.
 */
export function resumeUrlFor(
	context: IExecuteFunctions,
	operation: string,
	credentials: PiopiyCredentials,
	callId = '',
): ResumeUrl {
	let url: URL;
	if (operation === SEND_AND_WAIT_OPERATION) {
		// n8n 1.x checks the signature only when the node asks for it, as n8n's own send-and-wait nodes
		// do (2.x always checks it for `sendAndWait` and no longer has this method).
		(context as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		url = new URL(context.getSignedResumeUrl());
	} else {
		url = new URL(String(context.evaluateExpression('{{ $execution.resumeUrl }}', 0)));
		const nodeId = context.getNode().id;
		url.pathname = `${url.pathname.replace(/\/$/, '')}/${encodeURIComponent(nodeId)}`;
		url.searchParams.set(CALL_ID_PARAMETER, callId);
		url.searchParams.set(ANSWER_CHECK_PARAMETER, answerCheck(credentials.apiToken, context.getExecutionId(), nodeId, callId));
	}
	const secrets = [url.searchParams.get(SIGNATURE_PARAMETER), url.searchParams.get(ANSWER_CHECK_PARAMETER)];
	return { url: url.toString(), secrets: secrets.filter((secret): secret is string => !!secret) };
}

const SECRET_PARAMETERS_IN_TEXT = new RegExp(`\\b((?:${SIGNATURE_PARAMETER}|${ANSWER_CHECK_PARAMETER})(?:=|%3D))[^&#\\s"'<>]*`, 'gi');

/** Keeps a resume URL's secrets out of a text (an error may echo the request). */
export function withoutResumeSecret(text: string, secrets: string[]): string {
	return redactSecrets(text, secrets).replace(SECRET_PARAMETERS_IN_TEXT, '$1[redacted]');
}

/** A value with the resume URL's signature taken out of every text in it (objects and arrays walked). */
function redactDeep(value: unknown, secrets: string[], depth = 0): unknown {
	if (typeof value === 'string') return withoutResumeSecret(value, secrets);
	if (depth > 6 || typeof value !== 'object' || value === null) return value;
	const record = value as Record<string, unknown>;
	for (const key of Object.keys(record)) {
		// The node and workflow an n8n error points at hold parameters, not the request.
		if (key === 'node' || key === 'workflow') continue;
		record[key] = redactDeep(record[key], secrets, depth + 1);
	}
	return value;
}

/**
 * The error with the resume URL's signature taken out: Piopiy may echo the request body (which holds
 * the URL) in its error, and n8n errors copy the message into `messages`, `errorResponse` and `stack`.
 */
function hideResumeSecret(error: unknown, secrets: string[]): unknown {
	if (!(error instanceof Error)) return error;
	error.message = withoutResumeSecret(error.message, secrets);
	if (error.stack) error.stack = withoutResumeSecret(error.stack, secrets);
	redactDeep(error, secrets);
	return error;
}

function operationLabel(operation: string): string {
	return operation === SEND_AND_WAIT_OPERATION ? CALL_AND_ASK_NAME : ASK_AND_WAIT_NAME;
}

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

/** The item a time-out outputs: it says plainly that nobody answered, or is an error item saying so. */
function noAnswerItem(operation: string, asError: boolean, limitMs: number, callId: unknown): INodeExecutionData {
	const minutes = Math.round((limitMs / 60_000) * 10) / 10;
	const said = `Nobody answered within ${minutes} minute${minutes === 1 ? '' : 's'}`;
	if (asError) return { json: { error: `${said} (${operationLabel(operation)})`, message: 'noAnswer' }, pairedItem: { item: 0 } };
	const json: IDataObject = { answered: false, outcome: 'noAnswer', digits: null, speech: null };
	if (operation === SEND_AND_WAIT_OPERATION) Object.assign(json, { approved: false, decision: 'noAnswer' });
	json.call_id = typeof callId === 'string' && callId !== '' ? callId : null;
	json.waitedMinutes = minutes;
	return { json, pairedItem: { item: 0 } };
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
	const callId = operation === SEND_AND_WAIT_OPERATION ? '' : String(this.getNodeParameter('callId', 0, '')).trim();
	const { secrets } = resumeUrlFor(this, operation, credentials, callId);
	let sent: INodeExecutionData;
	try {
		[[sent]] = await router.call(this);
	} catch (error) {
		throw hideResumeSecret(error, secrets);
	}
	// With Continue On Fail a failed request is an error item: nothing to wait for.
	if (sent.json.error !== undefined) {
		return [[{ ...sent, json: { ...sent.json, error: withoutResumeSecret(String(sent.json.error), secrets) } }]];
	}

	const timedOut = noAnswerItem(operation, asError, limitMs, operation === SEND_AND_WAIT_OPERATION ? sent.json.call_id : callId);
	// What n8n forwards when the wait limit passes (see above); the answer replaces it when it comes.
	const executeData = this.getExecuteData();
	if (executeData) executeData.data = { main: [[timedOut]] };
	await this.putExecutionToWait(new Date(Date.now() + limitMs));
	return [[timedOut]];
}

/** The output item for an answer. */
export function answerItem(operation: string, answer: CallerAnswer, body: IDataObject, keys: { approve: string; decline: string }): IDataObject {
	const json: IDataObject = { answered: true, outcome: 'answered', digits: answer.digits, speech: answer.speech };
	if (operation === SEND_AND_WAIT_OPERATION) {
		const decision = decideApproval(answer, keys.approve, keys.decline);
		Object.assign(json, { approved: decision === 'approved', decision });
	}
	json.call_id = answer.callId;
	// As it came, except a resume URL Piopiy may echo: its signature and check would resume the run.
	json.response = redactDeep(body, []) as IDataObject;
	return json;
}

/**
 * The call Call and Ask placed, for a post that does not name it. While the execution waits, the
 * node's input is the item a time-out would output, which holds the call ID Piopiy replied with;
 * n8n evaluates `$json` of a waiting webhook against that item.
 */
function callPlacedBeforeWaiting(context: IWebhookFunctions): string | null {
	const placed = attempt(() => context.evaluateExpression('{{ $json.call_id }}', 0));
	return placed.ok && typeof placed.value === 'string' && placed.value !== '' ? placed.value : null;
}

/** Whether the post came to the URL Ask and Wait made (see helpers/answerCheck.ts). */
async function carriesAnswerCheck(context: IWebhookFunctions, callId: string): Promise<boolean> {
	const request = context.getRequestObject();
	const ids = waitingPathIds(request.originalUrl ?? request.url ?? '');
	if (!ids || ids.nodeId !== context.getNode().id) return false;
	let credentials: PiopiyCredentials | undefined;
	try {
		credentials = (await context.getCredentials('piopiyApi')) as unknown as PiopiyCredentials;
	} catch {
		// Without the token nothing can be checked: the post is refused and the execution keeps waiting.
		return false;
	}
	if (typeof credentials?.apiToken !== 'string' || credentials.apiToken === '') return false;
	const expected = answerCheck(credentials.apiToken, ids.executionId, ids.nodeId, callId);
	return answerCheckMatches((context.getQueryData() as IDataObject)[ANSWER_CHECK_PARAMETER], expected);
}

/**
 * The waiting webhook: Piopiy posts the caller's input here. n8n has checked Call and Ask's signature
 * (and, on 2.x, Ask and Wait's resume token) before; Ask and Wait's own check is verified here. A post
 * that fails it (401) or is about another call (409) changes nothing: the execution keeps waiting.
 * This must not throw: n8n would resume the execution with the error.
 */
export async function receiveAnswer(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const operation = this.getNodeParameter('operation', ASK_AND_WAIT_OPERATION) as string;
	const body = this.getBodyData() ?? {};
	const answer = readCallerAnswer(body);
	const query = this.getQueryData() as IDataObject;
	const askedCallId = typeof query[CALL_ID_PARAMETER] === 'string' ? (query[CALL_ID_PARAMETER] as string) : undefined;
	if (operation !== SEND_AND_WAIT_OPERATION && !(await carriesAnswerCheck(this, askedCallId ?? ''))) {
		this.getResponseObject().status(401).json({ error: 'Invalid token' });
		return { noWebhookResponse: true };
	}
	const callAsked = askedCallId ?? callPlacedBeforeWaiting(this) ?? undefined;
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
