import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { redactSecrets } from '../../shared/redact';
import { errorCode } from '../helpers/errorCode';
import { isFailedReply, replyErrorText } from '../helpers/response';
import type { PiopiyCredentials } from '../transport/types';

/**
 * The probe behind "Test" in the credential dialog. Piopiy has no read-only token endpoint, and every
 * other endpoint places or changes calls, so the test asks Piopiy to hang up a call that cannot exist
 * (the nil UUID). No call is placed.
 *
 * Only answers that Piopiy's hangup endpoint gives count as "token accepted": a JSON success, or a
 * JSON refusal that is about the call (it does not exist). 401/403 mean the token was rejected;
 * 429/5xx mean it could not be checked now. Anything else (a 404 of a path that does not exist, an
 * HTML page, a refusal that is not about the call) means the Base URL does not lead to Piopiy's API.
 */
export const CREDENTIAL_PROBE = {
	path: '/voice/call/hangup',
	body: { call_id: '00000000-0000-0000-0000-000000000000', reason: 'n8n credential test' },
};

const EXPECTED_BASE_URL = 'Piopiy\'s API root, e.g. https://rest.piopiy.com/v3 (with /v3)';

function isJsonObject(body: unknown): body is Record<string, unknown> {
	return typeof body === 'object' && body !== null && !Array.isArray(body);
}

/** What a probe reply says about the token, or about the URL. Pure, so every case is testable. */
export function judgeProbeReply(statusCode: number, body: unknown, url: string, apiToken: string): INodeCredentialTestResult {
	const said = replyErrorText(body);
	if (statusCode === 401 || statusCode === 403) {
		return {
			status: 'Error',
			message: redactSecrets(
				`Piopiy rejected the API token (HTTP ${statusCode})${said ? `: ${said}` : ''}. Copy the token again from the Piopiy dashboard.`,
				[apiToken],
			),
		};
	}
	if (statusCode === 429 || statusCode >= 500) {
		return { status: 'Error', message: `Piopiy could not check the token right now (HTTP ${statusCode}); try again in a minute` };
	}
	const hangupAccepted = statusCode >= 200 && statusCode < 300 && isJsonObject(body) && !isFailedReply(statusCode, body);
	const callRefused = statusCode >= 400 && isJsonObject(body) && /\bcall/i.test(said ?? '');
	if (hangupAccepted || callRefused) return { status: 'OK', message: 'Piopiy accepted the API token' };

	const answer = isJsonObject(body)
		? `HTTP ${statusCode}${said ? ` ("${said.slice(0, 120)}")` : ''}`
		: `HTTP ${statusCode} with a body that is not Piopiy's JSON`;
	return {
		status: 'Error',
		message: redactSecrets(
			`${url} answered ${answer}, not as Piopiy's hangup endpoint does, so the token could not be checked. Check the Base URL: it should be ${EXPECTED_BASE_URL}.`,
			[apiToken],
		),
	};
}

export async function testPiopiyToken(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { apiToken, baseUrl } = (credential.data ?? {}) as unknown as PiopiyCredentials;
	if (!apiToken) return { status: 'Error', message: 'Enter the API Token from the Piopiy dashboard' };
	const url = `${String(baseUrl ?? '').replace(/\/+$/, '')}${CREDENTIAL_PROBE.path}`;

	let response: { statusCode: number; body: unknown };
	try {
		// n8n gives a credential test function only this helper (ICredentialTestFunctions in n8n-workflow
		// 2.41), and a declarative test fails every non-2xx, so it could not tell "no such call" from a
		// wrong URL. n8n's scanner flags the helper as deprecated; see the README.
		// eslint-disable-next-line @n8n/community-nodes/no-deprecated-workflow-functions -- the only request helper of ICredentialTestFunctions (see above)
		response = await this.helpers.request({
			method: 'POST',
			uri: url,
			headers: { Authorization: `Bearer ${apiToken}`, Accept: 'application/json' },
			body: CREDENTIAL_PROBE.body,
			json: true,
			simple: false,
			resolveWithFullResponse: true,
			timeout: 15_000,
		});
	} catch (error) {
		const code = errorCode(error);
		return {
			status: 'Error',
			message: `Could not reach Piopiy at ${url}${code !== 'UNKNOWN' ? ` (${code})` : ''}: check the Base URL`,
		};
	}
	return judgeProbeReply(response.statusCode, response.body, url, apiToken);
}
