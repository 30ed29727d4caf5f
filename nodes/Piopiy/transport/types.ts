import type { IDataObject } from 'n8n-workflow';

/**
 * What sending a request twice could do in the real world. The retry policy reads only this:
 * - `placesCall`: rings a person (ai/pcmo/flow call);
 * - `changesCall`: acts on a live call in a way that repeating would repeat (transfer);
 * - `repeatable`: reading, or an action whose repeat changes nothing (balance, hangup).
 */
export type RequestEffect = 'placesCall' | 'changesCall' | 'repeatable';

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
