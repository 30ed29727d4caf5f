import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	createRunExecutionData,
	ICredentialsHelper,
	Workflow,
	type ICredentialDataDecryptedObject,
	type ICredentials,
	type IConnections,
	type ICredentialType,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestOptions,
	type INode,
	type INodeCredentialsDetails,
	type INodeExecutionData,
	type INodeProperties,
	type INodeType,
	type INodeTypes,
	type IRun,
	type ITaskData,
	type IVersionedNodeType,
	type IWorkflowExecuteAdditionalData,
	type IWorkflowSettings,
	type WorkflowExecuteMode,
} from 'n8n-workflow';

import { PiopiyApi } from '../../credentials/PiopiyApi.credentials';
// '.js' so that tsx (bench) does not resolve Piopiy.node to the codex file Piopiy.node.json.
import { Piopiy } from '../../nodes/Piopiy/Piopiy.node.js';
import { ACCOUNTS } from '../../nodes/Piopiy/transport/accounts';
import { hostAdditionalData } from './host';
import './logCapture';

/**
 * Runs the Piopiy node inside n8n's real engine: `WorkflowExecute` from n8n-core over a two-node
 * workflow ("Test Items", a source that emits the given items, → "Piopiy"). Only what n8n's server
 * would provide around the engine is written here: node type lookup, credential storage, and the
 * credential's generic authentication, resolved with n8n's own expression engine as n8n does.
 */

export const PIOPIY_NODE_TYPE = 'n8n-nodes-piopiy.piopiy';
const SOURCE_NODE_TYPE = 'test.items';

/** The trigger side of the test workflow: outputs the items in its `items` parameter. */
class TestItemsSource implements INodeType {
	description = {
		displayName: 'Test Items',
		name: 'items',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items',
		defaults: { name: 'Test Items' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' } as INodeProperties],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = JSON.parse(this.getNodeParameter('items', 0) as string) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

const nodeTypesByName: Record<string, INodeType> = {
	[PIOPIY_NODE_TYPE]: new Piopiy(),
	[SOURCE_NODE_TYPE]: new TestItemsSource(),
};

/** Lets a benchmark run another node type in the Piopiy node's place (see bench/referenceNode.ts). */
export function registerNodeType(type: string, node: INodeType): void {
	nodeTypesByName[type] = node;
}

export const nodeTypes: INodeTypes = {
	getByName: (type) => nodeTypesByName[type] as INodeType | IVersionedNodeType,
	getByNameAndVersion: (type) => nodeTypesByName[type],
	getKnownTypes: () => ({}),
};

const credentialTypes: Record<string, ICredentialType> = { piopiyApi: new PiopiyApi() };

/** Stores decrypted credentials by type and applies `authenticate` the way n8n's server does. */
export class TestCredentialsHelper extends ICredentialsHelper {
	constructor(private readonly stored: Record<string, ICredentialDataDecryptedObject>) {
		super();
	}

	getParentTypes(): string[] {
		return [];
	}

	isCredentialUsableByNode(): boolean {
		return true;
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const authenticate = credentialTypes[typeName]?.authenticate;
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		if (!authenticate || authenticate.type !== 'generic' || !workflow || !node) return requestOptions;
		const headers = { ...(requestOptions.headers ?? {}) } as IDataObject;
		for (const [name, value] of Object.entries(authenticate.properties.headers ?? {})) {
			headers[name] = workflow.expression.getSimpleParameterValue(node, value as string, 'internal', {
				$credentials: credentials,
			}) as IDataObject[string];
		}
		return { ...requestOptions, headers };
	}

	async preAuthentication(): Promise<undefined> {
		return undefined;
	}

	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}

	async getCredentials(_details: INodeCredentialsDetails, _type: string): Promise<ICredentials> {
		throw new Error('not used by the node');
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		_details: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		return { ...(this.stored[type] ?? {}) };
	}

	async updateCredentials(): Promise<void> {}

	async updateCredentialsOauthTokenData(): Promise<void> {}

	getCredentialsProperties(type: string): INodeProperties[] {
		return credentialTypes[type]?.properties ?? [];
	}
}

export { capturedLogs } from './logCapture';

export interface RunOptions {
	parameters: IDataObject;
	items?: IDataObject[];
	credentials?: ICredentialDataDecryptedObject;
	/** n8n's "On Error" setting of the node. */
	onError?: INode['onError'];
	/** Another registered node type to run in the Piopiy node's place. */
	nodeType?: string;
	/** n8n's "Retry On Fail" settings of the node. */
	retry?: Pick<INode, 'retryOnFail' | 'maxTries' | 'waitBetweenTries'>;
	/** How the execution was started: `manual` (default), or e.g. `retry` for "Retry" on a failed execution. */
	mode?: WorkflowExecuteMode;
	/** The execution's ID, which n8n's server sets; resume URLs need it. */
	executionId?: string;
	/**
	 * A failed run to retry as n8n's "Retry" of an execution does (ExecutionService.retry in n8n's cli):
	 * mode `retry`, the failed execution's data with its error deleted and the failed node's errored
	 * run popped, so the engine restarts from the failed node with its stored stack and context.
	 */
	retryOf?: IRun;
	/**
	 * Stops the execution when this settles, as n8n's Stop does (ActiveExecutions.stopExecution
	 * cancels the engine's run): n8n stops waiting for the node, which is not itself interrupted.
	 */
	stopWhen?: Promise<unknown>;
	/**
	 * Another workflow around the two nodes (e.g. test/support/agentReview.ts: the Piopiy node as an
	 * AI Agent's human review); by default "Test Items" → "Piopiy".
	 */
	shape?: (source: INode, piopiy: INode) => { nodes: INode[]; connections: IConnections; settings?: IWorkflowSettings };
	/**
	 * Whether the run finds what earlier runs of this test file left in the process (the accounts'
	 * memory of calls placed), as executions in one n8n process do. Off by default: each test is a
	 * fresh n8n process, so tests that call the same number stay independent.
	 */
	sameProcess?: boolean;
}

export interface RunResult {
	/** The Piopiy node's output items (empty when it failed). */
	items: INodeExecutionData[];
	/** The node's error when the run stopped on it. */
	error?: Error & { description?: string; httpCode?: string; context?: IDataObject };
	run: IRun;
	/** What ran it, to go on with a waiting execution (test/support/waiting.ts). */
	engine: { workflow: Workflow; additionalData: IWorkflowExecuteAdditionalData; mode: WorkflowExecuteMode };
}

/** What n8n's "Retry" (ExecutionService.retry) starts from: the stored data, less the last error. */
function dataForRetry(failed: IRun): IRun['data'] {
	// Through JSON, as n8n stores an execution in its database and reads it back for the retry.
	const data = JSON.parse(JSON.stringify(failed.data)) as IRun['data'];
	const { lastNodeExecuted } = data.resultData;
	delete data.resultData.error;
	const runs = lastNodeExecuted ? data.resultData.runData[lastNodeExecuted] : undefined;
	if (runs && runs.length > 0 && runs[runs.length - 1].error !== undefined) runs.pop();
	return data;
}

/** A node run's output items: on `main`, or on `ai_tool` where n8n rewires a tool's output (AI Agent). */
export function nodeOutput(taskData: ITaskData | undefined): INodeExecutionData[] {
	return taskData?.data?.main?.[0] ?? taskData?.data?.ai_tool?.[0] ?? [];
}

/** Forgets the calls the credential's account placed in this process, as a fresh n8n process would have none. */
export function forgetCalls(credentials: ICredentialDataDecryptedObject): void {
	const lease = ACCOUNTS.lease({ baseUrl: String(credentials.baseUrl ?? ''), apiToken: String(credentials.apiToken ?? '') });
	lease.account.calls.clear();
	lease.release();
}

export async function runPiopiyNode({
	parameters,
	items = [{}],
	credentials = {},
	onError,
	nodeType = PIOPIY_NODE_TYPE,
	retry,
	mode: requestedMode = 'manual',
	retryOf,
	executionId,
	stopWhen,
	sameProcess = false,
	shape = (first, second) => ({ nodes: [first, second], connections: { [first.name]: { main: [[{ node: second.name, type: 'main', index: 0 }]] } } }),
}: RunOptions): Promise<RunResult> {
	const mode: WorkflowExecuteMode = retryOf ? 'retry' : requestedMode;
	if (!sameProcess) forgetCalls(credentials);
	const source: INode = {
		id: 'source',
		name: 'Test Items',
		type: SOURCE_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(items) },
	};
	const piopiy: INode = {
		id: 'piopiy',
		name: 'Piopiy',
		type: nodeType,
		typeVersion: 1,
		position: [200, 0],
		parameters: parameters as INode['parameters'],
		credentials: { piopiyApi: { id: '1', name: 'Piopiy account' } },
		...(onError ? { onError } : {}),
		...retry,
	};
	const workflow = new Workflow({
		id: 'test',
		...shape(source, piopiy),
		active: false,
		nodeTypes,
	});

	const hooks = new ExecutionLifecycleHooks(mode, 'test-execution', {
		id: 'test',
		name: 'test',
		nodes: workflow.nodes as unknown as INode[],
		connections: workflow.connectionsBySourceNode,
		active: false,
		activeVersionId: null,
		isArchived: false,
		createdAt: new Date(),
		updatedAt: new Date(),
	} as never);
	const additionalData = {
		...hostAdditionalData(),
		credentialsHelper: new TestCredentialsHelper({ piopiyApi: credentials }),
		hooks,
		...(executionId ? { executionId } : {}),
	} as IWorkflowExecuteAdditionalData;

	const runExecutionData = retryOf
		? dataForRetry(retryOf)
		: createRunExecutionData({
				executionData: {
					nodeExecutionStack: [{ node: source, data: { main: [[{ json: {} }]] }, source: null }],
				},
			});

	const running = new WorkflowExecute(additionalData, mode, runExecutionData).processRunExecutionData(workflow);
	void stopWhen?.then(() => running.cancel());
	const run = await running;
	const runs = run.data.resultData.runData.Piopiy ?? [];
	const taskData = runs[runs.length - 1];
	return {
		items: nodeOutput(taskData),
		error: (taskData?.error ?? run.data.resultData.error) as RunResult['error'],
		run,
		engine: { workflow, additionalData, mode },
	};
}
