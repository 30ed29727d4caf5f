import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { AddressInfo } from 'net';
import { WebhookContext } from 'n8n-core';
import {
	NodeHelpers,
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IVersionedNodeType,
	type IWebhookData,
	type IWebhookResponseData,
	type IWorkflowExecuteAdditionalData,
	type WorkflowExecuteMode,
} from 'n8n-workflow';
import { parse as parseQueryString } from 'querystring';

import { PiopiyTrigger } from '../../nodes/PiopiyTrigger/PiopiyTrigger.node';
import { TestCredentialsHelper } from './engine';
import { hostAdditionalData } from './host';
import './logCapture';

/**
 * Serves the Piopiy Trigger over real HTTP the way n8n's webhook server does, so tests can POST to
 * it with `fetch`. n8n's own `WebhookContext` (n8n-core) is what the node's `webhook()` runs in;
 * only the server around it is written here:
 * - routing `/webhook/<path>` (production) and `/webhook-test/<path>` (test) to the node, with the
 *   path n8n-workflow computes for the node (`<webhookId>/piopiy`);
 * - a body parser standing in for n8n's (`packages/cli/src/middlewares/body-parser.ts`): JSON,
 *   `application/x-www-form-urlencoded` (Node's `querystring`, as n8n uses), `text/plain`, else `{}`;
 * - express-like request and response objects: Node's IncomingMessage with `body`, `query` and
 *   `params`, Node's ServerResponse with express's `status()` and `json()`;
 * - the immediate answer n8n gives for `responseMode: 'onReceived'` after the node returns
 *   (`handleImmediateWebhookResponse` and `extractWebhookOnReceivedResponse` in n8n's
 *   `webhook-helpers.ts`): nothing when the node answered itself (`noWebhookResponse`), else
 *   200 with `webhookResponse`, or `{message: 'Webhook call received'}` when no workflow starts,
 *   or `{message: 'Workflow was started'}` when one does.
 */

export const TRIGGER_NODE_TYPE = 'n8n-nodes-piopiy.piopiyTrigger';
export const TRIGGER_NODE_NAME = 'Piopiy Trigger';
export const WEBHOOK_ID = '5b0f7f0e-7a0c-4c55-9d7e-2f1f3c0a6b11';

export { capturedLogs } from './logCapture';

const trigger = new PiopiyTrigger();
const nodeTypes: INodeTypes = {
	getByName: (type) => (type === TRIGGER_NODE_TYPE ? trigger : undefined) as INodeType | IVersionedNodeType,
	getByNameAndVersion: (type) => (type === TRIGGER_NODE_TYPE ? trigger : undefined) as INodeType,
	getKnownTypes: () => ({}),
};

/** One request the server handled: what the node returned and whether a workflow would start. */
export interface WebhookCall {
	mode: WorkflowExecuteMode;
	/** What the node's `webhook()` returned (undefined when it threw). */
	result?: IWebhookResponseData;
	/** The items the workflow is started with; undefined when nothing started. */
	workflowData?: INodeExecutionData[][];
	started: boolean;
	error?: Error;
	/** Settles when the server has finished with the request (the node may answer before it returns). */
	done: Promise<void>;
}

export interface TriggerServer {
	/** Production URL (`/webhook/...`) or test URL (`/webhook-test/...`), without a query string. */
	url(kind?: 'production' | 'test'): string;
	/** Every request handled, oldest first. */
	calls: WebhookCall[];
	close(): Promise<void>;
}

type ExpressLikeRequest = IncomingMessage & {
	body: unknown;
	query: IDataObject;
	params: IDataObject;
	rawBody: Buffer;
	contentType?: string;
};

type ExpressLikeResponse = ServerResponse & {
	status(code: number): ExpressLikeResponse;
	json(body: unknown): ExpressLikeResponse;
};

async function readRawBody(req: IncomingMessage): Promise<Buffer> {
	const chunks: Buffer[] = [];
	for await (const chunk of req) chunks.push(chunk as Buffer);
	return Buffer.concat(chunks);
}

/** Like n8n's `parseBody` followed by its `bodyParser` (`req.body ??= {}`). */
function parseBody(rawBody: Buffer, contentType: string | undefined): unknown {
	if (rawBody.length === 0) return {};
	const text = rawBody.toString('utf8');
	if (contentType === 'application/json') return JSON.parse(text) as unknown;
	if (contentType === 'application/x-www-form-urlencoded') {
		return { ...parseQueryString(text, undefined, undefined, { maxKeys: 1000 }) };
	}
	if (contentType === 'text/plain') return text;
	return {};
}

function expressLikeResponse(res: ServerResponse): ExpressLikeResponse {
	const response = res as ExpressLikeResponse;
	response.status = (code) => {
		response.statusCode = code;
		return response;
	};
	response.json = (body) => {
		if (!response.hasHeader('content-type')) response.setHeader('Content-Type', 'application/json; charset=utf-8');
		response.end(JSON.stringify(body));
		return response;
	};
	return response;
}

/** The trigger node of a test workflow: its version, and the Piopiy Webhook API credential it uses, if any. */
export interface TriggerNodeOptions {
	/** 1 (default: the version existing workflows have) or 1.1. */
	typeVersion?: number;
	/** The decrypted data of the node's `piopiyWebhookApi` credential; undefined: none is selected. */
	webhookCredential?: ICredentialDataDecryptedObject;
}

/** The node as n8n's workflow holds it, with its default parameter values filled in as n8n does. */
export function triggerWorkflow(parameters: IDataObject, { typeVersion = 1, webhookCredential }: TriggerNodeOptions = {}) {
	const node: INode = {
		id: 'piopiy-trigger',
		name: TRIGGER_NODE_NAME,
		type: TRIGGER_NODE_TYPE,
		typeVersion,
		position: [0, 0],
		webhookId: WEBHOOK_ID,
		parameters: parameters as INode['parameters'],
		...(webhookCredential ? { credentials: { piopiyWebhookApi: { id: 'webhook-secret-1', name: 'Piopiy webhook secret' } } } : {}),
	};
	const workflow = new Workflow({ id: 'trigger-test', nodes: [node], connections: {}, active: true, nodeTypes });
	return { workflow, node: workflow.getNode(TRIGGER_NODE_NAME)! };
}

/** What n8n's server hands the node besides the workflow: URLs, stored credentials, the request. */
export function triggerAdditionalData(webhookCredential?: ICredentialDataDecryptedObject, http: object = {}): IWorkflowExecuteAdditionalData {
	const credentialsHelper = new TestCredentialsHelper(webhookCredential ? { piopiyWebhookApi: webhookCredential } : {});
	return { ...hostAdditionalData(), credentialsHelper, ...http } as unknown as IWorkflowExecuteAdditionalData;
}

/** Starts a server on 127.0.0.1 (ephemeral port) serving a workflow whose trigger has `parameters`. */
export async function startTriggerServer(parameters: IDataObject, options: TriggerNodeOptions = {}): Promise<TriggerServer> {
	const { workflow, node: workflowNode } = triggerWorkflow(parameters, options);
	const webhookDescription = trigger.description.webhooks![0];
	const webhookPath = NodeHelpers.getNodeWebhookPath(workflow.id, workflowNode, webhookDescription.path);

	const calls: WebhookCall[] = [];

	async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const isTest = url.pathname === `/webhook-test/${webhookPath}`;
		if (!isTest && url.pathname !== `/webhook/${webhookPath}`) {
			expressLikeResponse(res).status(404).json({ code: 404, message: 'The requested webhook is not registered.' });
			return;
		}
		if (req.method !== webhookDescription.httpMethod) {
			expressLikeResponse(res).status(404).json({ code: 404, message: `This webhook is not registered for ${req.method}` });
			return;
		}

		const rawBody = await readRawBody(req);
		const contentType = req.headers['content-type']?.split(';')[0].trim().toLowerCase();
		const request = Object.assign(req, {
			rawBody,
			contentType,
			body: parseBody(rawBody, contentType),
			query: { ...parseQueryString(url.search.slice(1)) },
			params: {},
		}) as ExpressLikeRequest;
		const response = expressLikeResponse(res);

		const mode: WorkflowExecuteMode = isTest ? 'manual' : 'webhook';
		const additionalData = triggerAdditionalData(options.webhookCredential, { httpRequest: request, httpResponse: response });
		const webhookData: IWebhookData = {
			httpMethod: 'POST',
			node: TRIGGER_NODE_NAME,
			path: webhookPath,
			webhookDescription,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: WEBHOOK_ID,
			isTest,
		};
		const context = new WebhookContext(workflow, workflowNode, additionalData, mode, webhookData, [], null);

		let finish!: () => void;
		const call: WebhookCall = { mode, started: false, done: new Promise<void>((resolve) => (finish = resolve)) };
		calls.push(call);
		try {
			await runNode(call, context, response);
		} finally {
			finish();
		}
	}

	async function runNode(call: WebhookCall, context: WebhookContext, response: ExpressLikeResponse): Promise<void> {
		try {
			call.result = await trigger.webhook!.call(context);
		} catch (error) {
			call.error = error as Error;
			if (!response.headersSent) response.status(500).json({ code: 0, message: (error as Error).message });
			return;
		}

		const result = call.result;
		call.workflowData = result.workflowData;
		call.started = result.workflowData !== undefined;
		if (result.noWebhookResponse === true || response.headersSent) return;
		const responseCode = Number(webhookDescription.responseCode ?? 200);
		const defaultBody = call.started ? { message: 'Workflow was started' } : { message: 'Webhook call received' };
		response.status(responseCode).json(result.webhookResponse !== undefined ? result.webhookResponse : defaultBody);
	}

	const server: Server = createServer((req, res) => {
		handle(req, res).catch((error: Error) => {
			if (!res.headersSent) expressLikeResponse(res).status(500).json({ message: error.message });
			else res.end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;

	return {
		url: (kind = 'production') => `http://127.0.0.1:${port}/${kind === 'test' ? 'webhook-test' : 'webhook'}/${webhookPath}`,
		calls,
		close: async () => await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
	};
}

export interface PostOptions {
	/** Query parameters added to the URL (e.g. `{secret}`). */
	query?: Record<string, string>;
	headers?: Record<string, string>;
	/** Sent as JSON. */
	json?: unknown;
	/** Sent form-encoded. */
	form?: Record<string, string>;
	/** Sent as is, with the given content type in `headers`. */
	raw?: string;
	kind?: 'production' | 'test';
}

export interface PostResult {
	status: number;
	headers: Headers;
	/** The reply, parsed as JSON when it is JSON. */
	body: unknown;
	/** What the server did with this request. */
	call: WebhookCall;
	/** The items the workflow was started with (empty when nothing started). */
	items: IDataObject[];
}

/** POSTs to the trigger with real HTTP and returns what the client got and what the node did. */
export async function postToTrigger(server: TriggerServer, options: PostOptions = {}): Promise<PostResult> {
	const url = new URL(server.url(options.kind));
	for (const [name, value] of Object.entries(options.query ?? {})) url.searchParams.set(name, value);
	const headers: Record<string, string> = { ...(options.headers ?? {}) };
	let body: string | undefined = options.raw;
	if (options.json !== undefined) {
		headers['Content-Type'] ??= 'application/json';
		body = JSON.stringify(options.json);
	} else if (options.form !== undefined) {
		headers['Content-Type'] ??= 'application/x-www-form-urlencoded';
		body = new URLSearchParams(options.form).toString();
	}

	const before = server.calls.length;
	const response = await fetch(url, { method: 'POST', headers, body });
	const text = await response.text();
	let parsed: unknown = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		// not JSON: keep the text
	}
	// Requests are assumed sequential: the call this request made is the first one after `before`.
	const call = server.calls[before];
	if (!call) throw new Error(`The request did not reach the trigger (HTTP ${response.status}: ${text})`);
	await call.done;
	return {
		status: response.status,
		headers: response.headers,
		body: parsed,
		call,
		items: (call.workflowData?.[0] ?? []).map((item) => item.json),
	};
}
