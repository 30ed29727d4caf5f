import fs from 'node:fs';
import { join, resolve } from 'node:path';

import type { ICredentialDataDecryptedObject, INodeType } from 'n8n-workflow';

/**
 * The bench's peer: n8n's own HTTP Request node (n8n-nodes-base, the version n8n places by default)
 * configured as a user would to place the same calls, at its defaults otherwise (no batching, no
 * Retry On Fail). n8n-nodes-base is no dependency of this package: it is taken from the n8n runtime
 * that `node scripts/n8n/provision.mjs` installs, when present, and runs in the project's n8n-core.
 */

const RUNTIME_MODULES = resolve(__dirname, '..', '.sandbox', 'runtime', 'node_modules');
const HTTP_REQUEST_NODE = join(RUNTIME_MODULES, 'n8n-nodes-base', 'dist', 'nodes', 'HttpRequest', 'HttpRequest.node.js');

export const PEER_SKIPPED = 'peer: skipped (run `node scripts/n8n/provision.mjs` first)';

/** Whether the n8n runtime with n8n-nodes-base is installed. */
export function peerAvailable(): boolean {
	return fs.existsSync(HTTP_REQUEST_NODE);
}

/** The versioned HTTP Request node as n8n-nodes-base exports it; typed loosely, it may be absent. */
interface VersionedHttpRequest {
	description: { defaultVersion: number };
	getNodeType(version: number): INodeType;
}

export interface PeerNode {
	node: INodeType;
	/** The type version n8n gives a new HTTP Request node. */
	typeVersion: number;
}

/** The HTTP Request node at the version a new one gets in n8n, or undefined without the runtime. */
export function loadPeerNode(): PeerNode | undefined {
	if (!peerAvailable()) return undefined;
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { HttpRequest } = require(HTTP_REQUEST_NODE) as { HttpRequest: new () => VersionedHttpRequest };
	const versioned = new HttpRequest();
	const typeVersion = versioned.description.defaultVersion;
	return { node: versioned.getNodeType(typeVersion), typeVersion };
}

/**
 * POST {caller_id, to_number, agent_id} as JSON to /voice/ai/call with the Bearer token in a header,
 * one request per item: the AI Call the Piopiy node places, as fields of the HTTP Request node.
 */
export function peerParameters(credentials: ICredentialDataDecryptedObject, callerId: string, agentId: string) {
	return {
		method: 'POST',
		url: `${String(credentials.baseUrl)}/voice/ai/call`,
		authentication: 'none',
		sendHeaders: true,
		headerParameters: { parameters: [{ name: 'Authorization', value: `Bearer ${String(credentials.apiToken)}` }] },
		sendBody: true,
		contentType: 'json',
		specifyBody: 'keypair',
		bodyParameters: {
			parameters: [
				{ name: 'caller_id', value: callerId },
				{ name: 'to_number', value: "={{ $json.phone.replace(/\\D/g, '') }}" },
				{ name: 'agent_id', value: agentId },
			],
		},
		options: {},
	};
}
