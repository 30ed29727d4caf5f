import type { IDataObject } from 'n8n-workflow';

import { CREDENTIAL_PROBE_CALL_ID, PiopiyApi } from '../../credentials/PiopiyApi.credentials';
import { buildPcmoCallRequest } from '../../nodes/Piopiy/mapping/appCalls';
import { buildBalanceRequest } from '../../nodes/Piopiy/mapping/balance';
import { buildHangupRequest } from '../../nodes/Piopiy/mapping/callControl';
import type { PiopiyRequest } from '../../nodes/Piopiy/transport/types';

/**
 * The requests of the live check, built by the node's own code wherever the node sends the same
 * request, so what is observed is what the node would meet. Every probe hangs up a call that cannot
 * exist or asks for the balance: none can ring a phone (each is checked by its effect before sending).
 */

export type ProbeName = 'credentialTest' | 'balance' | 'hangupMissingCall' | 'lowerCaseCause' | 'invalidBody';

export interface Probe {
	name: ProbeName;
	/** What the probe asks, for the report. */
	purpose: string;
	request: PiopiyRequest;
	/** Headers besides the JSON ones (the credential test sends its own). */
	headers?: Record<string, string>;
}

const LIVE_CHECK_REASON = 'n8n-nodes-piopiy live check';

/** The credential's "Test" request as n8n sends it (its URL and body are read from the credential). */
function credentialTestProbe(): Probe {
	const { request } = new PiopiyApi().test;
	if (!request.url || !request.body) throw new Error('the credential has no test request');
	return {
		name: 'credentialTest',
		purpose: "the credential's Test: a hang-up of the nil call ID, judged by the credential's rules",
		request: { api: 'voice', path: request.url, body: request.body as IDataObject, effect: 'repeatable' },
		headers: request.headers as Record<string, string> | undefined,
	};
}

/** The probes that ring no phone; the balance only when the App ID and App Secret are set. */
export function probes(credentials: { appId?: string; appSecret?: string }): Probe[] {
	const hangup = buildHangupRequest({ callId: CREDENTIAL_PROBE_CALL_ID, cause: 'NORMAL_CLEARING', reason: LIVE_CHECK_REASON });
	const list: Probe[] = [credentialTestProbe()];
	if (credentials.appId && credentials.appSecret) {
		list.push({ name: 'balance', purpose: 'Get Balance with the App ID and App Secret', request: buildBalanceRequest(credentials) });
	}
	list.push(
		{ name: 'hangupMissingCall', purpose: "the node's Hang Up of a call that does not exist", request: hangup },
		{
			name: 'lowerCaseCause',
			purpose: 'the same hang-up with the cause in lower case (the node always sends upper case)',
			// Deliberately past normalizeCause, which would send NORMAL_CLEARING.
			request: { ...hangup, body: { ...hangup.body, cause: 'normal_clearing' } },
		},
		{
			name: 'invalidBody',
			purpose: 'a hang-up whose call_id is no UUID and that carries an unknown field (a validation error)',
			request: { ...hangup, body: { call_id: 'not-a-call-id', live_check_unknown_field: true } },
		},
	);
	return list;
}

export interface QuestionCall {
	toNumber: string;
	callerId: string;
	appId: string;
	/** Where Piopiy posts the caller's answer. */
	resultUrl: string;
	language: string;
	voiceId: string;
	/** Sent as the call's `variables`, to see whether Piopiy echoes them. */
	nonce: string;
}

/**
 * The one optional call: a PCMO call whose single Play and Get Input asks for one key or a few words
 * and posts the answer to `resultUrl`, as Call and Ask does (with speech allowed too, to see its field).
 * Short options bound what it costs: it rings at most 30 s and lasts at most 60 s.
 */
export function buildQuestionCall(call: QuestionCall): PiopiyRequest {
	return buildPcmoCallRequest(
		{
			callerId: call.callerId,
			toNumber: call.toNumber,
			appId: call.appId,
			callOptions: { ringTimeoutSec: 30, maxDurationSec: 60 },
			variablesInput: 'json',
			variablesJson: { live_check: call.nonce },
			pipeline: {
				actions: [
					{
						type: 'playGetInput',
						promptType: 'say',
						promptText: 'This is the n8n Piopiy live check. Press any key, or say a few words.',
						promptLanguage: call.language,
						promptVoiceId: call.voiceId,
						promptSpeed: 1,
						inputModes: ['dtmf', 'speech'],
						dtmfSettings: { minDigits: 1, maxDigits: 1 },
						onResultType: 'url',
						onResultUrl: call.resultUrl,
					},
				],
			},
		},
		call.appId,
	);
}
