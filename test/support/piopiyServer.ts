import Ajv, { type ValidateFunction } from 'ajv';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import schemas from '../fixtures/piopiy-schemas.json';

/**
 * A Piopiy stand-in on 127.0.0.1: it checks the Bearer token (or the App ID and secret on the account
 * API), validates every body against the contract's schemas and the rules beyond them, records every
 * request, and answers like Piopiy, or as a test tells it to.
 */

export interface RecordedRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	rawBody: string;
	body: unknown;
	/** Schema and contract-rule violations; empty when the body is valid. */
	violations: string[];
	/** The status this server answered with (0 for a hang or a dropped connection). */
	status: number;
	receivedAt: number;
}

export type Reply =
	| { status: number; body?: unknown; headers?: Record<string, string>; rawBody?: string; delayMs?: number }
	/** Never answer: the client must time out. */
	| { hang: true }
	/** Read the request, then drop the connection without a reply. */
	| { reset: true; delayMs?: number };

/** Lets a test answer a request itself; returning undefined gives the normal answer. */
export type Behaviour = (request: RecordedRequest, server: PiopiyTestServer) => Reply | undefined | Promise<Reply | undefined>;

export const VOICE_ENDPOINTS = [
	'/voice/ai/call',
	'/voice/pcmo/call',
	'/voice/pcmo/transfer',
	'/voice/call/hangup',
	'/voice/flow/call',
] as const;
export const BALANCE_PATH = '/v2/balance';
/** Endpoints whose accepted request rings a phone. */
export const CALL_PLACING_PATHS = new Set(['/voice/ai/call', '/voice/pcmo/call', '/voice/flow/call']);

type SchemaDocument = { definitions: object; endpoints: Record<string, object> };

function compileValidators(): Map<string, ValidateFunction> {
	const ajv = new Ajv({ strict: false, allErrors: true });
	const document = schemas as unknown as SchemaDocument;
	const validators = new Map<string, ValidateFunction>();
	for (const [name, schema] of Object.entries(document.endpoints)) {
		const path = name.startsWith('POST /v2/balance') ? BALANCE_PATH : name.replace(/^POST /, '');
		validators.set(path, ajv.compile({ ...schema, definitions: document.definitions }));
	}
	return validators;
}

/** docs/piopiy-api.md "Rules beyond the schema": at most two agent endpoints per connect, agents last. */
export function contractRuleViolations(body: unknown): string[] {
	const pipeline = (body as { pipeline?: unknown })?.pipeline;
	if (!Array.isArray(pipeline)) return [];
	const violations: string[] = [];
	pipeline.forEach((action: { action?: string; endpoints?: Array<{ type?: string }> }, index) => {
		if (action?.action !== 'connect' || !Array.isArray(action.endpoints)) return;
		const types = action.endpoints.map((endpoint) => endpoint?.type);
		if (types.filter((type) => type === 'agent').length > 2) {
			violations.push(`/pipeline/${index}/endpoints has more than two agent endpoints`);
		}
		const firstAgent = types.indexOf('agent');
		if (firstAgent !== -1 && types.slice(firstAgent).some((type) => type !== 'agent')) {
			violations.push(`/pipeline/${index}/endpoints has an agent endpoint before a pstn/sip endpoint`);
		}
	});
	return violations;
}

export interface ServerOptions {
	token?: string;
	appId?: number;
	appSecret?: string;
}

export class PiopiyTestServer {
	readonly token: string;
	readonly appId: number;
	readonly appSecret: string;
	readonly requests: RecordedRequest[] = [];
	behaviour: Behaviour | undefined;
	/** Requests being handled right now, and the most seen at once. */
	inFlight = 0;
	maxInFlight = 0;

	private server: Server | undefined;
	private readonly sockets = new Set<Socket>();
	private readonly validators = compileValidators();

	constructor(options: ServerOptions = {}) {
		this.token = options.token ?? `pio_test_${randomUUID().replace(/-/g, '')}`;
		this.appId = options.appId ?? 2222333;
		this.appSecret = options.appSecret ?? `sec_${randomUUID().replace(/-/g, '')}`;
	}

	get url(): string {
		const { port } = this.server!.address() as AddressInfo;
		return `http://127.0.0.1:${port}`;
	}

	/** Credentials for the node that point at this server. */
	credentials(overrides: Record<string, unknown> = {}) {
		return {
			apiToken: this.token,
			baseUrl: this.url,
			appId: String(this.appId),
			appSecret: this.appSecret,
			accountApiUrl: this.url,
			...overrides,
		};
	}

	async start(port = 0): Promise<this> {
		this.server = createServer((request, response) => void this.handle(request, response));
		this.server.on('connection', (socket) => {
			this.sockets.add(socket);
			socket.on('close', () => this.sockets.delete(socket));
		});
		await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
		return this;
	}

	async stop(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}

	reset(): void {
		this.requests.length = 0;
		this.behaviour = undefined;
		this.maxInFlight = 0;
	}

	/** Requests to call-placing endpoints that Piopiy may have acted on (all but refusals). */
	placedCalls(): RecordedRequest[] {
		return this.requests.filter(
			// 0 is a hang or a drop after reading: count the worst case, that Piopiy acted on it.
			(request) => CALL_PLACING_PATHS.has(request.path) && (request.status < 400 || request.status >= 500),
		);
	}

	private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		this.inFlight++;
		this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
		const chunks: Buffer[] = [];
		for await (const chunk of request) chunks.push(chunk as Buffer);
		const rawBody = Buffer.concat(chunks).toString('utf8');
		let body: unknown;
		try {
			body = rawBody ? JSON.parse(rawBody) : undefined;
		} catch {
			body = undefined;
		}
		const recorded: RecordedRequest = {
			method: request.method ?? '',
			path: (request.url ?? '').split('?')[0],
			headers: request.headers,
			rawBody,
			body,
			violations: [],
			status: 0,
			receivedAt: Date.now(),
		};
		this.requests.push(recorded);

		try {
			const reply = (await this.behaviour?.(recorded, this)) ?? this.standardReply(recorded);
			await this.send(reply, recorded, response);
		} finally {
			this.inFlight--;
		}
	}

	private async send(reply: Reply, recorded: RecordedRequest, response: ServerResponse): Promise<void> {
		if ('hang' in reply) {
			await new Promise<void>((resolve) => response.on('close', resolve));
			return;
		}
		if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
		if ('reset' in reply) {
			response.socket?.destroy();
			return;
		}
		recorded.status = reply.status;
		const text = reply.rawBody ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
		response.writeHead(reply.status, {
			'Content-Type': reply.rawBody !== undefined ? 'text/html' : 'application/json',
			...reply.headers,
		});
		response.end(text);
	}

	/** What Piopiy itself would answer: auth, then validation, then a realistic success. */
	standardReply(recorded: RecordedRequest): Reply {
		const validator = this.validators.get(recorded.path);
		if (recorded.method !== 'POST' || !validator) return { status: 404, body: { error: 'not found' } };

		if (recorded.path === BALANCE_PATH) {
			if (!validator(recorded.body)) return this.invalid(recorded, validator);
			const { appid, secret } = recorded.body as { appid: number; secret: string };
			if (appid !== this.appId || secret !== this.appSecret) {
				return { status: 404, body: { code: 404, msg: 'Invalid appid or secret' } };
			}
			return { status: 200, body: { code: 200, balance: 1523.75, sms: 40, expire: 1798761600000 } };
		}

		if (recorded.headers.authorization !== `Bearer ${this.token}`) {
			return { status: 401, body: { success: false, error: 'Unauthorized: invalid or revoked token' } };
		}
		if (!validator(recorded.body)) return this.invalid(recorded, validator);
		const ruleViolations = contractRuleViolations(recorded.body);
		if (ruleViolations.length > 0) {
			recorded.violations.push(...ruleViolations);
			return { status: 400, body: { success: false, error: ruleViolations.join('; ') } };
		}
		if (recorded.path === '/voice/call/hangup') {
			return { status: 200, body: { success: true, message: 'call_hangup_requested' } };
		}
		if (recorded.path === '/voice/pcmo/transfer') {
			return { status: 200, body: { success: true, message: 'transfer_queued' } };
		}
		return { status: 200, body: { success: true, message: 'call_queued', call_id: randomUUID(), request_id: randomUUID() } };
	}

	private invalid(recorded: RecordedRequest, validator: ValidateFunction): Reply {
		recorded.violations.push(
			...(validator.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`),
		);
		return { status: 400, body: { success: false, error: `Invalid request: ${recorded.violations.join('; ')}` } };
	}
}
