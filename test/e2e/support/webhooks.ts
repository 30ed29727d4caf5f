import type { Stack } from './stack';

/**
 * Calling a published workflow's production webhook the way Piopiy does, and reading what n8n stored
 * for the executions it started.
 */

export interface PostOptions {
	json?: unknown;
	form?: Record<string, string>;
	headers?: Record<string, string>;
}

/** POSTs to `urlPath` on the stack's n8n; returns the status and the body as text. */
export async function postTo(stack: Stack, urlPath: string, { json, form, headers = {} }: PostOptions) {
	const response = await fetch(new URL(urlPath, stack.url), {
		method: 'POST',
		headers: {
			...(json !== undefined ? { 'Content-Type': 'application/json' } : {}),
			...(form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
			...headers,
		},
		body: json !== undefined ? JSON.stringify(json) : form ? new URLSearchParams(form).toString() : undefined,
		signal: AbortSignal.timeout(30_000),
	});
	const text = await response.text();
	return { status: response.status, text };
}

/** Waits until `count` executions of the workflow are stored and finished; returns them, oldest first. */
export async function finishedExecutions(stack: Stack, workflowId: string, count: number, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const executions = await stack.executions(workflowId);
		const finished = executions.filter((execution) => !['new', 'running', 'waiting'].includes(execution.status));
		if (finished.length >= count) {
			return [...executions].sort((a, b) => Number(a.id) - Number(b.id));
		}
		if (Date.now() > deadline) {
			throw new Error(`expected ${count} finished executions of ${workflowId}, have ${JSON.stringify(executions)}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 300));
	}
}

/** The items a node output in a stored execution. */
export async function storedOutput(stack: Stack, executionId: string, nodeName: string) {
	const stored = await stack.storedExecution(executionId);
	const runs = stored.data.resultData.runData[nodeName];
	return { stored, items: (runs?.[0]?.data?.main?.[0] ?? []).map((item) => item.json) };
}
