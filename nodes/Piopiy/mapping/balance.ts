import type { IDataObject } from 'n8n-workflow';

import { InvalidCredentialError } from '../helpers/errors';
import type { PiopiyCredentials, PiopiyRequest } from '../transport/types';

/** The account balance (docs/piopiy-api.md "Account API"): App ID and App Secret, never the token. */

const CREDENTIAL = 'Piopiy API';
const CREDENTIAL_EXPECTATION =
	'the App ID and App Secret of your Piopiy app: Get Balance signs in with them, not with the API token. Set them in the Piopiy API credential (you find them in the Piopiy dashboard → Apps)';

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** The body holds the App Secret: it goes only to the transport, never into output or errors. */
export function buildBalanceRequest(credentials: Pick<PiopiyCredentials, 'appId' | 'appSecret'>): PiopiyRequest {
	const { appId, appSecret } = credentials;
	if (isBlank(appId) && isBlank(appSecret)) {
		throw new InvalidCredentialError(CREDENTIAL, ['App ID', 'App Secret'], undefined, CREDENTIAL_EXPECTATION);
	}
	if (isBlank(appId)) throw new InvalidCredentialError(CREDENTIAL, ['App ID'], undefined, CREDENTIAL_EXPECTATION);
	const appid = typeof appId === 'string' ? appId.trim() : String(appId);
	if (!/^[0-9]+$/.test(appid) || Number(appid) < 1 || !Number.isSafeInteger(Number(appid))) {
		throw new InvalidCredentialError(
			CREDENTIAL,
			['App ID'],
			appId,
			'a whole number greater than 0, e.g. 2222333 (Piopiy dashboard → Apps)',
		);
	}
	// The secret's value is never shown, not even when it is only spaces.
	if (isBlank(appSecret)) {
		throw new InvalidCredentialError(CREDENTIAL, ['App Secret'], undefined, CREDENTIAL_EXPECTATION);
	}
	return {
		api: 'account',
		path: '/v2/balance',
		body: { appid: Number(appid), secret: appSecret as string },
		effect: 'repeatable',
	};
}

function asNumber(value: unknown): number | undefined {
	const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
	return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

/** The reply as it came, with `balance` as a number (some variants send "17507.49") and `expireAt`. */
export function balanceOutput(reply: IDataObject): IDataObject {
	const output: IDataObject = { ...reply };
	const balance = asNumber(reply.balance);
	if (balance !== undefined) output.balance = balance;
	const expire = asNumber(reply.expire);
	const expireAt = expire === undefined ? undefined : new Date(expire);
	if (expireAt && Number.isFinite(expireAt.getTime())) output.expireAt = expireAt.toISOString();
	return output;
}
