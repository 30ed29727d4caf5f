import { randomUUID } from 'node:crypto';

import { GOOD_CREDENTIAL, type Stack, type StoredExecution } from './stack';
import type { Workflow } from './workflows';

/** Driving executions that wait (issue 17): start one from a production webhook, wait for a status. */

/** Starts a published workflow from its production webhook; returns the new execution's ID. */
export async function startFromWebhook(stack: Stack, workflowId: string, path: string, body: unknown): Promise<string> {
	const before = new Set((await stack.executions(workflowId)).map((execution) => execution.id));
	const response = await fetch(new URL(`/webhook/${path}`, stack.url), {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify(body),
	});
	if (response.status !== 200) throw new Error(`POST /webhook/${path} answered ${response.status}: ${await response.text()}`);
	const deadline = Date.now() + 30_000;
	for (;;) {
		const added = (await stack.executions(workflowId)).filter((execution) => !before.has(execution.id));
		if (added.length === 1) return added[0].id;
		if (Date.now() > deadline) throw new Error(`no new execution of ${workflowId}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** Waits until the stored execution has `status` (e.g. "waiting", "success"); returns it. */
export async function untilStatus(stack: Stack, executionId: string, status: string, timeoutMs = 60_000): Promise<StoredExecution> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const stored = await stack.storedExecution(executionId);
		if (stored.status === status) return stored;
		if (Date.now() > deadline) throw new Error(`execution ${executionId} is "${stored.status}", not "${status}", after ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

/** The first item a node output in a stored execution (its last run), on its first output. */
export function firstOutput(stored: StoredExecution, nodeName: string, connection = 'main'): Record<string, unknown> | undefined {
	const runs = (stored.data.resultData.runData[nodeName] ?? []) as Array<{ data?: Record<string, Array<Array<{ json: Record<string, unknown> }>>> }>;
	return runs[runs.length - 1]?.data?.[connection]?.[0]?.[0]?.json;
}

/** Webhook → Piopiy Call → Ask and Wait for Input (the call ID from the post) → No Operation. */
export function askWorkflow({ id, path, waitLimit, typePrefix }: { id: string; path: string; waitLimit: number; typePrefix: string }): Workflow {
	return {
		id,
		name: `e2e: ask and wait (${waitLimit} min)`,
		active: false,
		settings: { executionOrder: 'v1' },
		pinData: {},
		nodes: [
			{
				id: randomUUID(),
				name: 'Start',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path, options: {} },
			},
			{
				id: randomUUID(),
				name: 'Ask',
				type: `${typePrefix}piopiy`,
				typeVersion: 1,
				position: [220, 0],
				parameters: {
					resource: 'call',
					operation: 'askAndWait',
					callId: '={{ $json.body.call_id }}',
					promptType: 'say',
					promptText: 'Press 1 to confirm, 2 to cancel',
					promptLanguage: 'en-IN',
					promptVoiceId: 'anika',
					promptSpeed: 1,
					inputModes: ['dtmf', 'speech'],
					waitLimit,
				},
				credentials: { piopiyApi: { ...GOOD_CREDENTIAL } },
			},
			{ id: randomUUID(), name: 'After the answer', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [440, 0], parameters: {} },
		],
		connections: {
			Start: { main: [[{ node: 'Ask', type: 'main', index: 0 }]] },
			Ask: { main: [[{ node: 'After the answer', type: 'main', index: 0 }]] },
		},
	};
}
