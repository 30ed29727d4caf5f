import type { IWorkflowExecuteAdditionalData } from 'n8n-workflow';

/**
 * The part of `IWorkflowExecuteAdditionalData` that n8n's server fills in around the engine and that
 * the node never uses: URLs of the instance and hooks that must not be reached in these tests.
 */
export function hostAdditionalData(): Omit<IWorkflowExecuteAdditionalData, 'credentialsHelper' | 'hooks'> {
	const base = 'http://127.0.0.1:5678';
	const notUsed = async () => {
		throw new Error('not used in these tests');
	};
	return {
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		executeWorkflow: notUsed,
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notUsed,
	} as unknown as Omit<IWorkflowExecuteAdditionalData, 'credentialsHelper' | 'hooks'>;
}
