import type { IDataObject } from 'n8n-workflow';

import { normalizePhone, requireUuid } from '../helpers/validate';
import type { PiopiyRequest } from '../transport/types';
import { resolveAppId } from './aiCall';
import { buildCallOptions, buildConnectParams, type CallOptionsUi, type ConnectOptionsUi } from './options';
import { buildPipeline, pipelineBody, type PipelineUi } from './pipeline';
import { buildVariables, type VariablesUi } from './variables';

/** Calls placed through a Piopiy app (`app_id`): voice, PCMO and flow calls. */

/** Raw values of `appCallFields`, call options and variables. */
export interface AppCallUi extends VariablesUi {
	callerId: unknown;
	toNumber: unknown;
	appId?: unknown;
	callOptions?: CallOptionsUi;
}

interface CallParties {
	caller_id: string;
	to_number: string;
	app_id: string;
}

function callParties(ui: AppCallUi, credentialAppId: string | undefined): CallParties {
	return {
		caller_id: normalizePhone('Caller ID', ui.callerId),
		to_number: normalizePhone('To Number', ui.toNumber),
		app_id: resolveAppId(ui.appId, credentialAppId),
	};
}

/** Adds the optional `options` and `variables` every app call takes. */
function withOptionsAndVariables(body: IDataObject, ui: AppCallUi): IDataObject {
	const options = buildCallOptions(ui.callOptions);
	const variables = buildVariables(ui);
	if (options) body.options = { ...options };
	if (variables) body.variables = variables;
	return body;
}

export interface VoiceCallUi extends AppCallUi {
	connectTo: unknown;
	strategy?: unknown;
	connectOptions?: ConnectOptionsUi;
}

/** A direct call bridged to a number: a PCMO call whose pipeline is one `connect` to a `pstn` endpoint. */
export function buildVoiceCallRequest(ui: VoiceCallUi, credentialAppId?: string): PiopiyRequest {
	const parties = callParties(ui, credentialAppId);
	const connect = {
		action: 'connect',
		params: buildConnectParams(parties.caller_id, ui.strategy, ui.connectOptions),
		endpoints: [{ type: 'pstn', number: normalizePhone('Connect To', ui.connectTo) }],
	};
	const body = withOptionsAndVariables({ ...parties, pipeline: [connect as unknown as IDataObject] }, ui);
	return { api: 'voice', path: '/voice/pcmo/call', body, effect: 'placesCall' };
}

export interface PcmoCallUi extends AppCallUi, PipelineUi {
	agentId?: unknown;
}

export function buildPcmoCallRequest(ui: PcmoCallUi, credentialAppId?: string): PiopiyRequest {
	const parties = callParties(ui, credentialAppId);
	const body: IDataObject = { ...parties, pipeline: pipelineBody(buildPipeline(ui)) };
	const agentGiven = ui.agentId !== undefined && !(typeof ui.agentId === 'string' && ui.agentId.trim() === '');
	if (agentGiven) body.agent_id = requireUuid('Agent ID', ui.agentId);
	return { api: 'voice', path: '/voice/pcmo/call', body: withOptionsAndVariables(body, ui), effect: 'placesCall' };
}

export interface FlowCallUi extends AppCallUi {
	flowId: unknown;
	orgId: unknown;
}

export function buildFlowCallRequest(ui: FlowCallUi, credentialAppId?: string): PiopiyRequest {
	const body: IDataObject = {
		flow_id: requireUuid('Flow ID', ui.flowId),
		org_id: requireUuid('Organization ID', ui.orgId),
		...callParties(ui, credentialAppId),
	};
	return { api: 'voice', path: '/voice/flow/call', body: withOptionsAndVariables(body, ui), effect: 'placesCall' };
}
