import path from 'node:path';

/**
 * Fixed values of the `npm start` sandbox. None of them is a secret: they only open the local
 * Piopiy sandbox on 127.0.0.1 and the local n8n that `npm start` runs.
 */

export const PROJECT_ROOT = path.resolve(__dirname, '..', '..');

function portFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw.trim() === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		throw new Error(`${name}=${raw} is not a TCP port (1 to 65535)`);
	}
	return port;
}

export const SANDBOX = Object.freeze({
	/** The Piopiy sandbox listens on 127.0.0.1:<port>; override with PIOPIY_SANDBOX_PORT. */
	get port() {
		return portFromEnv('PIOPIY_SANDBOX_PORT', 4010);
	},
	/** The Bearer token the sandbox accepts (any other token gets 401, as on Piopiy). */
	token: 'piopiy_sandbox_demo_token',
	/** App ID and App Secret the sandbox's balance API (/v2/balance) accepts. */
	appId: 2222333,
	appSecret: 'piopiy_sandbox_demo_secret',
	/** The secret of the sandbox's Piopiy Webhook API credential, which the trigger example uses. */
	webhookSecret: 'piopiy_sandbox_demo_webhook_secret',
});

/** The n8n credential that points at the sandbox; the example workflows reference it by id and name. */
export const SANDBOX_CREDENTIAL = Object.freeze({
	id: 'PiopiySandbox001',
	name: 'Piopiy (sandbox)',
	type: 'piopiyApi',
});

/** The Piopiy Webhook API credential (the Piopiy Trigger's secret) the trigger example references. */
export const SANDBOX_WEBHOOK_CREDENTIAL = Object.freeze({
	id: 'PiopiyWebhookSbx',
	name: 'Piopiy webhook secret (sandbox)',
	type: 'piopiyWebhookApi',
});

export const N8N = Object.freeze({
	/** n8n listens on 127.0.0.1:<port>; override with N8N_PORT. */
	get port() {
		return portFromEnv('N8N_PORT', 5678);
	},
	/**
	 * N8N_USER_FOLDER of the sandbox n8n (gitignored through .sandbox/); PIOPIY_SANDBOX_USER_FOLDER
	 * moves it (the tour test runs `npm start` in a folder of its own). n8n's log goes beside it.
	 */
	get userFolder() {
		return path.resolve(process.env.PIOPIY_SANDBOX_USER_FOLDER || path.join(PROJECT_ROOT, '.sandbox', 'n8n-user'));
	},
	/** The login `npm start` creates and prints. Local only; n8n's rules: 8+ characters, a digit, an upper-case letter. */
	email: 'demo@piopiy.local',
	password: 'PiopiyDemo1',
	firstName: 'Demo',
	lastName: 'User',
});

/** The credential's data, pointing the node at a sandbox on `port`. */
export function sandboxCredentialData(port = SANDBOX.port) {
	const url = `http://127.0.0.1:${port}`;
	return {
		apiToken: SANDBOX.token,
		baseUrl: url,
		appId: String(SANDBOX.appId),
		appSecret: SANDBOX.appSecret,
		accountApiUrl: url,
	};
}
