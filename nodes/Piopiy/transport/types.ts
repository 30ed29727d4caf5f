import type { IDataObject } from 'n8n-workflow';

// The effect is a helper-level notion (the run record words outcomes by it); re-exported for the transport.
import type { RequestEffect } from '../helpers/effect';

export type { RequestEffect };

export interface PiopiyRequest {
	/** `voice`: the v3 API with the Bearer token; `account`: the TeleCMI account API (App ID + secret). */
	api: 'voice' | 'account';
	path: string;
	body: IDataObject;
	effect: RequestEffect;
}

/** The `piopiyApi` credential as the node reads it. */
export interface PiopiyCredentials {
	apiToken: string;
	baseUrl: string;
	appId?: string;
	appSecret?: string;
	accountApiUrl: string;
}
