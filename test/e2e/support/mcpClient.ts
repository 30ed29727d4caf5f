/**
 * A scripted MCP client speaking MCP's streamable HTTP transport, as Claude Desktop or an agent
 * framework connects to n8n's MCP Server Trigger: JSON-RPC over POST, the answer as JSON or as an
 * SSE stream, the session in the `mcp-session-id` header.
 */

interface JsonRpcAnswer {
	id?: number;
	result?: Record<string, unknown>;
	error?: { code: number; message: string };
}

export interface ToolResult {
	content: Array<{ type: string; text?: string }>;
	isError?: boolean;
}

/** The JSON-RPC message of `id` in an answer: a JSON body, or an SSE stream's `data:` lines. */
function answerOf(body: string, contentType: string, id: number): JsonRpcAnswer | undefined {
	const messages = contentType.includes('text/event-stream')
		? body
				.split(/\r?\n/)
				.filter((line) => line.startsWith('data:'))
				.map((line) => JSON.parse(line.slice(5).trim()) as JsonRpcAnswer | JsonRpcAnswer[])
		: body.trim() === ''
			? []
			: [JSON.parse(body) as JsonRpcAnswer | JsonRpcAnswer[]];
	return messages.flat().find((message) => message.id === id);
}

export class McpClient {
	private sessionId: string | undefined;
	private nextId = 1;

	constructor(private readonly url: string) {}

	private async post(message: Record<string, unknown>): Promise<{ status: number; body: string; contentType: string }> {
		const response = await fetch(this.url, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				Accept: 'application/json, text/event-stream',
				...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
			},
			body: JSON.stringify({ jsonrpc: '2.0', ...message }),
			signal: AbortSignal.timeout(120_000),
		});
		this.sessionId ??= response.headers.get('mcp-session-id') ?? undefined;
		return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') ?? '' };
	}

	private async request(method: string, params: Record<string, unknown>): Promise<Record<string, unknown>> {
		const id = this.nextId++;
		const { status, body, contentType } = await this.post({ id, method, params });
		const answer = answerOf(body, contentType, id);
		if (status >= 400 || !answer) throw new Error(`MCP ${method}: HTTP ${status}, ${body.slice(0, 500)}`);
		if (answer.error) throw new Error(`MCP ${method}: ${answer.error.code} ${answer.error.message}`);
		return answer.result ?? {};
	}

	/** `initialize`, then `notifications/initialized`: the session every later call goes in. */
	async connect(): Promise<Record<string, unknown>> {
		const result = await this.request('initialize', {
			protocolVersion: '2025-03-26',
			capabilities: {},
			clientInfo: { name: 'n8n-nodes-piopiy-e2e', version: '1.0.0' },
		});
		await this.post({ method: 'notifications/initialized' });
		return result;
	}

	async listTools(): Promise<Array<{ name: string; description?: string; inputSchema?: Record<string, unknown> }>> {
		return ((await this.request('tools/list', {})).tools ?? []) as Array<{ name: string; description?: string }>;
	}

	async callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
		return (await this.request('tools/call', { name, arguments: args })) as unknown as ToolResult;
	}
}

/** A tool result's text, joined. */
export function resultText(result: ToolResult): string {
	return result.content.map((part) => part.text ?? '').join('\n');
}
