import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A scripted stand-in for OpenAI's chat completions API, so example (d), an n8n AI Agent with the
 * Piopiy node as a tool, runs offline in the real n8n: no model is available here, but everything
 * around the model is real (the AI Agent node, LangChain, n8n's tool wrapper of the Piopiy node,
 * `$fromAI()` parameters, the credential, the HTTP call to the Piopiy stand-in).
 *
 * The "model" follows a script: asked with tools, it calls the first tool with `toolArguments` until the
 * conversation holds `toolCalls` tool results (1 unless told: a model that repeats itself asks 2), then
 * answers with a sentence quoting the last one.
 * Requests are recorded, so the test sees the tool schema n8n derived from the `$fromAI()` fields.
 */

export interface ChatRequest {
	path: string;
	authorization: string | undefined;
	body: {
		model?: string;
		stream?: boolean;
		messages: Array<{ role: string; content?: unknown; tool_call_id?: string }>;
		tools?: Array<{ type: string; function: { name: string; description?: string; parameters?: { properties?: Record<string, unknown>; required?: string[] } } }>;
	};
}

export class FakeOpenAi {
	readonly requests: ChatRequest[] = [];
	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();

	constructor(
		readonly apiKey: string,
		private readonly toolArguments: Record<string, unknown>,
		/** How many times the model calls the tool before it answers. */
		public toolCalls = 1,
	) {}

	get url(): string {
		return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/v1`;
	}

	async start(): Promise<this> {
		this.server = createServer((request, response) => {
			let raw = '';
			request.on('data', (chunk) => (raw += chunk));
			request.on('end', () => {
				const path = (request.url ?? '').split('?')[0];
				if (request.method !== 'POST' || !path.endsWith('/chat/completions')) {
					response.writeHead(404, { 'Content-Type': 'application/json' });
					response.end(JSON.stringify({ error: { message: `no ${request.method} ${path} here` } }));
					return;
				}
				const body = JSON.parse(raw || '{}') as ChatRequest['body'];
				this.requests.push({ path, authorization: request.headers.authorization, body });
				if (request.headers.authorization !== `Bearer ${this.apiKey}`) {
					response.writeHead(401, { 'Content-Type': 'application/json' });
					response.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } }));
					return;
				}
				this.reply(body, response);
			});
		});
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	private reply(body: ChatRequest['body'], response: import('node:http').ServerResponse): void {
		const toolResults = body.messages.filter((message) => message.role === 'tool');
		const toolResult = toolResults[toolResults.length - 1];
		const tool = body.tools?.[0]?.function.name;
		const message: Record<string, unknown> =
			toolResults.length >= this.toolCalls || !tool
				? { role: 'assistant', content: `Done. The tool answered: ${typeof toolResult?.content === 'string' ? toolResult.content : JSON.stringify(toolResult?.content ?? null)}` }
				: {
						role: 'assistant',
						content: null,
						tool_calls: [{ id: `call_e2e_${toolResults.length + 1}`, type: 'function', function: { name: tool, arguments: JSON.stringify(this.toolArguments) } }],
					};
		const finishReason = message.tool_calls ? 'tool_calls' : 'stop';
		const base = { id: `chatcmpl-e2e-${this.requests.length}`, created: Math.floor(Date.now() / 1000), model: body.model ?? 'gpt-4o-mini' };
		const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
		if (body.stream) {
			response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
			const delta = message.tool_calls
				? { role: 'assistant', tool_calls: (message.tool_calls as object[]).map((call, index) => ({ index, ...call })) }
				: { role: 'assistant', content: message.content };
			const chunk = (choice: object, extra: object = {}) =>
				`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [choice], ...extra })}\n\n`;
			response.write(chunk({ index: 0, delta, finish_reason: null }));
			response.write(chunk({ index: 0, delta: {}, finish_reason: finishReason }, { usage }));
			response.end('data: [DONE]\n\n');
			return;
		}
		response.writeHead(200, { 'Content-Type': 'application/json' });
		response.end(
			JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message, finish_reason: finishReason }], usage }),
		);
	}
}

/**
 * The tool results the scripted model received, in order (its last request holds them all), as text:
 * Agent 3.x sends a review's result as JSON (`[{"output": "…"}]`); its `output` is what the model reads.
 */
export function toolResults(model: FakeOpenAi): string[] {
	const last = model.requests[model.requests.length - 1];
	const readable = (content: unknown): string => {
		const text = typeof content === 'string' ? content : JSON.stringify(content);
		try {
			const parsed = JSON.parse(text) as unknown;
			if (Array.isArray(parsed) && parsed.every((entry) => typeof (entry as { output?: unknown })?.output === 'string')) {
				return parsed.map((entry) => (entry as { output: string }).output).join('\n');
			}
		} catch {
			// Not JSON: the text as sent.
		}
		return text;
	};
	return (last?.body.messages ?? []).filter((message) => message.role === 'tool').map((message) => readable(message.content));
}
