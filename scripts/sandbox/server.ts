/**
 * The Piopiy sandbox: a local server that speaks the Piopiy contract, for trying the node without a
 * Piopiy account. It is the jest tests' stand-in (`test/support/piopiyServer.ts`): the same schema
 * validation, the same contract rules and the same auth (Bearer token for the voice API, App ID and
 * App Secret for the balance API), with fixed demo credentials on a fixed port, and one log line
 * per request. No phone rings: an accepted call gets `{ success: true, message: "call_queued", call_id, request_id }`.
 *
 *   npx tsx scripts/sandbox/server.ts          # alone (npm start runs it for you)
 *   PIOPIY_SANDBOX_PORT=4020 npx tsx scripts/sandbox/server.ts
 *
 * Besides Piopiy's endpoints it answers `GET /` (what it is) and `GET /_sandbox/requests` (the last
 * requests it received, secrets removed).
 *
 * It also plays the caller (scripts/sandbox/caller.ts): a question asked with a result URL (Ask and
 * Wait for Input, Call and Ask) is answered with the keys typed in the terminal, or with the key 1
 * after 30 seconds (PIOPIY_SANDBOX_ANSWER_DELAY_SEC).
 */
import type { Readable } from 'node:stream';

import { CREDENTIAL_PROBE_CALL_ID } from '../../credentials/PiopiyApi.credentials';
import { BALANCE_PATH, PiopiyTestServer, type RecordedRequest, type Reply } from '../../test/support/piopiyServer';
import { sandboxCallerOptionsFromEnv, startSandboxCaller } from './caller';
import { SANDBOX } from './config';

/** How many received requests are kept for `GET /_sandbox/requests`. */
const KEEP_REQUESTS = 500;

export interface Sandbox {
	url: string;
	port: number;
	server: PiopiyTestServer;
	stop(): Promise<void>;
}

const short = (value: unknown, max = 90): string => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text.length > max ? `${text.slice(0, max - 1)}…` : text;
};

/**
 * n8n's Test of the Piopiy API credential (on opening or saving it) asks to hang up the all-zero call
 * ID, which no call has: without a word, the sandbox's log would read as a call hung up.
 */
export const CREDENTIAL_TEST_NOTE = 'credential test (n8n tested the Piopiy API credential: a hang-up of the all-zero call ID, which no call has; no call is touched)';

/** The one-line summary of what a request asked for and what it got; never the token or the secret. */
export function summarize(request: RecordedRequest, reply: Reply): string {
	if (!('status' in reply)) return 'no reply';
	const body = (request.body ?? {}) as Record<string, unknown>;
	if (request.path === '/voice/call/hangup' && body.call_id === CREDENTIAL_PROBE_CALL_ID) {
		return `${CREDENTIAL_TEST_NOTE} · ${summarizeReply(request, reply, body)}`;
	}
	return summarizeReply(request, reply, body);
}

function summarizeReply(request: RecordedRequest, reply: Extract<Reply, { status: number }>, body: Record<string, unknown>): string {
	const answer = (reply.body ?? {}) as Record<string, unknown>;
	if (reply.status === 401) return 'token rejected (Authorization header missing or not the sandbox token)';
	if (reply.status >= 400) return short(answer.error ?? answer.msg ?? answer, 200);
	const parts: string[] = [];
	switch (request.path) {
		case BALANCE_PATH:
			parts.push(`balance ${String(answer.balance)}`, `app ${String(body.appid)}`);
			break;
		case '/voice/ai/call':
		case '/voice/pcmo/call':
		case '/voice/flow/call': {
			parts.push(String(answer.message));
			parts.push(`to ${String(body.to_number)}`, `from ${String(body.caller_id)}`);
			if (body.agent_id) parts.push(`agent ${String(body.agent_id)}`);
			if (body.flow_id) parts.push(`flow ${String(body.flow_id)}`);
			if (Array.isArray(body.pipeline)) parts.push(`pipeline ${pipelineSummary(body.pipeline)}`);
			if (body.variables) parts.push(`variables ${short(body.variables, 80)}`);
			parts.push(`call_id ${String(answer.call_id)}`);
			break;
		}
		case '/voice/pcmo/transfer':
			parts.push(String(answer.message), `call ${String(body.call_id)}`);
			if (Array.isArray(body.pipeline)) parts.push(`pipeline ${pipelineSummary(body.pipeline)}`);
			break;
		case '/voice/call/hangup':
			parts.push(String(answer.message), `call ${String(body.call_id)}`);
			if (body.cause) parts.push(`cause ${String(body.cause)}`);
			if (body.reason) parts.push(`reason ${short(body.reason, 60)}`);
			break;
		default:
			parts.push(short(answer, 120));
	}
	return parts.join(' · ');
}

function pipelineSummary(pipeline: unknown[]): string {
	return pipeline
		.map((step) => {
			const action = step as { action?: string; endpoints?: Array<{ type?: string; number?: string; id?: string; uri?: string }> };
			if (action.action !== 'connect' || !Array.isArray(action.endpoints)) return String(action.action);
			const to = action.endpoints.map((endpoint) => endpoint.number ?? endpoint.uri ?? `${endpoint.type}:${endpoint.id}`);
			return `connect(${to.join(', ')})`;
		})
		.join(' → ');
}

/** A request as `GET /_sandbox/requests` shows it: no headers, the balance secret blanked. */
function publicView(request: RecordedRequest) {
	let body = request.body;
	if (request.path === BALANCE_PATH && body && typeof body === 'object' && 'secret' in body) {
		body = { ...(body as object), secret: '***' };
	}
	return {
		method: request.method,
		path: request.path,
		status: request.status,
		body,
		violations: request.violations,
		receivedAt: new Date(request.receivedAt).toISOString(),
	};
}

function dropRecord(server: PiopiyTestServer, request: RecordedRequest): void {
	const index = server.requests.indexOf(request);
	if (index !== -1) server.requests.splice(index, 1);
}

/** Starts the sandbox on 127.0.0.1:`port` (default: PIOPIY_SANDBOX_PORT, else 4010). */
export async function startSandbox({
	port = SANDBOX.port,
	log = (line: string) => console.log(line),
	input,
}: { port?: number; log?: (line: string) => void; input?: Readable } = {}): Promise<Sandbox> {
	const server = new PiopiyTestServer({ token: SANDBOX.token, appId: SANDBOX.appId, appSecret: SANDBOX.appSecret });
	const caller = startSandboxCaller({ ...sandboxCallerOptionsFromEnv(), input, log });
	server.behaviour = (request, self): Reply => {
		if (self.requests.length > KEEP_REQUESTS) self.requests.splice(0, self.requests.length - KEEP_REQUESTS);
		if (request.method === 'GET' && request.path === '/_sandbox/requests') {
			dropRecord(self, request); // not a Piopiy request
			return { status: 200, body: self.requests.map(publicView) };
		}
		if (request.method === 'GET' && request.path === '/') {
			dropRecord(self, request);
			return {
				status: 200,
				body: {
					service: 'Piopiy sandbox (n8n-nodes-piopiy)',
					endpoints: ['POST /voice/ai/call', 'POST /voice/pcmo/call', 'POST /voice/flow/call', 'POST /voice/pcmo/transfer', 'POST /voice/call/hangup', `POST ${BALANCE_PATH}`],
					requests: 'GET /_sandbox/requests',
				},
			};
		}
		const reply = (caller.behaviour(request, self) as Reply | undefined) ?? self.standardReply(request);
		const time = new Date().toISOString().slice(11, 19);
		log(`[piopiy-sandbox] ${time} ${request.method} ${request.path} → ${'status' in reply ? reply.status : '-'} ${summarize(request, reply)}`);
		// The question a request asked, or the one still open, goes below its line, where it stays in view.
		caller.announce();
		return reply;
	};
	try {
		await server.start(port);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EADDRINUSE') {
			throw new Error(
				`port ${port} is in use (another sandbox or \`npm start\`?). Stop it, or choose a free port: PIOPIY_SANDBOX_PORT=<port> npm start`,
			);
		}
		throw error;
	}
	return {
		url: server.url,
		port,
		server,
		stop: () => {
			caller.stop();
			return server.stop();
		},
	};
}

async function main(): Promise<void> {
	const sandbox = await startSandbox({ input: process.stdin });
	console.log(`[piopiy-sandbox] listening on ${sandbox.url}`);
	console.log(
		`[piopiy-sandbox]   credential: Base URL and Account API URL ${sandbox.url}, App ID ${SANDBOX.appId}; API Token and App Secret in scripts/sandbox/config.ts`,
	);
	const shutdown = () => {
		void sandbox.stop().then(() => process.exit(0));
	};
	process.once('SIGINT', shutdown);
	process.once('SIGTERM', shutdown);
}

if (require.main === module) {
	main().catch((error) => {
		console.error(`[piopiy-sandbox] ${(error as Error).message}`);
		process.exit(1);
	});
}
