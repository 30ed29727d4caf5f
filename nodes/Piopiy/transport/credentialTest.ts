import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';

import { redactSecrets } from '../../shared/redact';
import { errorCode } from '../helpers/errorCode';
import { replyErrorText } from '../helpers/response';
import type { PiopiyCredentials } from './types';

/**
 * The probe behind "Test" in the credential dialog. Piopiy has no read-only token endpoint, and every
 * other endpoint places or changes calls, so the test asks Piopiy to hang up a call that cannot exist
 * (the nil UUID). The body is valid, so the answer depends only on the token: 401/403 mean rejected;
 * any other answer ("no such call" included) means Piopiy accepted the token. No call is placed.
 */
export const CREDENTIAL_PROBE = {
	path: '/voice/call/hangup',
	body: { call_id: '00000000-0000-0000-0000-000000000000', reason: 'n8n credential test' },
};

export async function testPiopiyToken(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const { apiToken, baseUrl } = (credential.data ?? {}) as unknown as PiopiyCredentials;
	if (!apiToken) return { status: 'Error', message: 'Enter the API Token from the Piopiy dashboard' };
	const url = `${String(baseUrl ?? '').replace(/\/+$/, '')}${CREDENTIAL_PROBE.path}`;

	let response: { statusCode: number; body: unknown };
	try {
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

	const { statusCode, body } = response;
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
		return {
			status: 'Error',
			message: `Piopiy could not check the token right now (HTTP ${statusCode}); try again in a minute`,
		};
	}
	return { status: 'OK', message: 'Piopiy accepted the API token' };
}
