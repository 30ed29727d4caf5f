import { WebhookContext, WorkflowExecute } from 'n8n-core';
import type {
	INode,
	INodeExecutionData,
	IRunExecutionData,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import type { Question } from '../../nodes/Piopiy/interactive/question';
import { ANSWER_CHECK_PARAMETER, QUESTION_PARAMETER, sealQuestion } from '../../nodes/Piopiy/interactive/seal';
import { nodeOutput, type RunResult } from './engine';

/**
 * The two ways n8n's server goes on with a waiting execution, done over n8n-core's own engine:
 * - the wait limit passes: n8n's WaitTracker loads the stored execution and runs it again, and
 *   WorkflowExecute's `handleWaitingState` forwards the waiting node's stored input;
 * - a POST to the resume URL: n8n's WaitingWebhooks runs the node's `webhook()` (in n8n-core's
 *   WebhookContext), then puts its items in place of the waiting node's input, disables the node
 *   and runs the execution again (`prepareExecutionData` in n8n's webhook-helpers).
 * The stored execution goes through JSON, as it does through n8n's database.
 */

const NODE_NAME = 'Piopiy';

function stored(result: RunResult): IRunExecutionData {
	return JSON.parse(JSON.stringify(result.run.data)) as IRunExecutionData;
}

async function goOn(result: RunResult, data: IRunExecutionData) {
	const { workflow, additionalData, mode } = result.engine;
	const run = await new WorkflowExecute(additionalData, mode, data).processRunExecutionData(workflow);
	const runs = run.data.resultData.runData[NODE_NAME] ?? [];
	const taskData = runs[runs.length - 1];
	return { items: nodeOutput(taskData), error: taskData?.error ?? run.data.resultData.error, run };
}

/** The wait limit passed without a post. */
export async function timeOut(result: RunResult) {
	return await goOn(result, stored(result));
}

export interface PostReply {
	status: number;
	body: unknown;
}

/**
 * A POST of `body` to `url`, the resume URL the node sent (or a forged one). n8n's own checks of the
 * URL (its signature or token) come before this and are proven end to end (test/e2e/interactive.e2e.ts).
 */
export async function postAnswer(result: RunResult, url: string | URL, body: unknown, query?: Record<string, unknown>, headers: Record<string, string> = {}) {
	const target = new URL(url);
	query ??= Object.fromEntries(target.searchParams);
	const { workflow, additionalData, mode } = result.engine;
	const data = stored(result);
	const node = workflow.getNode(NODE_NAME) as INode;
	const reply: PostReply = { status: 200, body: undefined };
	const response = {
		status(code: number) {
			reply.status = code;
			return response;
		},
		json(value: unknown) {
			reply.body = value;
			return response;
		},
	};
	const requestAdditionalData = {
		...additionalData,
		httpRequest: { method: 'POST', body, query, headers, params: {}, url: `${target.pathname}${target.search}`, originalUrl: `${target.pathname}${target.search}` },
		httpResponse: response,
	} as unknown as IWorkflowExecuteAdditionalData;
	const piopiy = new Piopiy();
	const webhookData = {
		httpMethod: 'POST',
		node: NODE_NAME,
		path: node.id,
		webhookDescription: piopiy.description.webhooks![0],
		workflowId: workflow.id,
	} as IWebhookData;
	const context = new WebhookContext(workflow, node, requestAdditionalData, mode, webhookData, [], data);
	const returned: IWebhookResponseData = await piopiy.webhook.call(context);
	if (returned.workflowData === undefined) return { reply, returned, resumed: undefined };
	if (!returned.noWebhookResponse) reply.body = returned.webhookResponse;

	data.waitTill = undefined;
	// n8n drops the waiting node's own run (`preserveInputOverride`); the resumed run takes its place.
	data.resultData.runData[NODE_NAME].pop();
	const resuming = data.executionData!.nodeExecutionStack[0];
	resuming.node.disabled = true;
	resuming.data.main = returned.workflowData as INodeExecutionData[][];
	return { reply, returned, resumed: await goOn(result, data) };
}

/** The question record a resume URL carries (interactive/seal.ts), as the node sealed it. */
export function questionIn(url: string | URL): Question {
	const sealed = new URL(url).searchParams.get(QUESTION_PARAMETER) ?? '';
	return JSON.parse(Buffer.from(sealed, 'base64url').toString('utf8')) as Question;
}

/**
 * The resume URL with another question sealed in it, made as the node makes it (with the token, so its
 * seal is valid): for another wait of the same node (another ask ID), another call or other keys.
 */
export function resealed(url: string | URL, apiToken: string, change: Partial<Question>): URL {
	const made = new URL(url);
	const sealed = sealQuestion({ ...questionIn(made), ...change }, apiToken);
	made.searchParams.set(QUESTION_PARAMETER, sealed.question);
	made.searchParams.set(ANSWER_CHECK_PARAMETER, sealed.check);
	return made;
}
