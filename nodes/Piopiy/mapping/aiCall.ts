import type { IDataObject } from 'n8n-workflow';

import { InvalidFieldError } from '../helpers/errors';
import { normalizePhone, requireUuid } from '../helpers/validate';
import type { PiopiyRequest } from '../transport/types';
import { buildCallOptions, buildConnectParams, type CallOptionsUi, type ConnectOptionsUi } from './options';
import { buildVariables, type VariablesUi } from './variables';

export interface AiCallUi extends VariablesUi {
	callerId: unknown;
	toNumber: unknown;
	agentId: unknown;
	callOptions?: CallOptionsUi;
	useFailover?: unknown;
	backupAgentId?: unknown;
	failoverAppId?: unknown;
	failoverStrategy?: unknown;
	failoverOptions?: ConnectOptionsUi;
}

export const APP_ID_EXPECTATION =
	"your Piopiy app's App ID, set in the node or in the Piopiy API credential (Piopiy dashboard → Apps)";

/** Picks the App ID typed in the node, else the credential's; refuses when neither is set. */
export function resolveAppId(fromNode: unknown, fromCredential: unknown): string {
	for (const candidate of [fromNode, fromCredential]) {
		if (typeof candidate === 'number') return String(candidate);
		if (typeof candidate === 'string' && candidate.trim() !== '') return candidate.trim();
	}
	throw new InvalidFieldError('App ID', fromNode ?? '', APP_ID_EXPECTATION);
}

/**
 * An AI agent call. With a backup agent it becomes the PCMO call the official SDKs send (docs/piopiy-api.md
 * "Failover"): one `connect` to the primary then the backup agent.
 */
export function buildAiCallRequest(ui: AiCallUi, credentialAppId?: string): PiopiyRequest {
	const callerId = normalizePhone('Caller ID', ui.callerId);
	const toNumber = normalizePhone('To Number', ui.toNumber);
	const agentId = requireUuid('Agent ID', ui.agentId);
	const options = buildCallOptions(ui.callOptions);
	const variables = buildVariables(ui);

	if (ui.useFailover !== true) {
		const body: IDataObject = { caller_id: callerId, to_number: toNumber, agent_id: agentId };
		if (options) body.options = { ...options };
		if (variables) body.variables = variables;
		return { api: 'voice', path: '/voice/ai/call', body, effect: 'placesCall' };
	}

	const backupAgentId = requireUuid('Backup Agent ID', ui.backupAgentId);
	if (backupAgentId.toLowerCase() === agentId.toLowerCase()) {
		throw new InvalidFieldError('Backup Agent ID', ui.backupAgentId, 'a different agent from the Agent ID');
	}
	const appId = resolveAppId(ui.failoverAppId, credentialAppId);
	const connect = {
		action: 'connect',
		params: buildConnectParams(callerId, ui.failoverStrategy, ui.failoverOptions),
		endpoints: [
			{ type: 'agent', id: agentId },
			{ type: 'agent', id: backupAgentId },
		],
	};
	const body: IDataObject = {
		caller_id: callerId,
		to_number: toNumber,
		app_id: appId,
		pipeline: [connect as unknown as IDataObject],
	};
	if (options) body.options = { ...options };
	if (variables) body.variables = variables;
	return { api: 'voice', path: '/voice/pcmo/call', body, effect: 'placesCall' };
}
