import type {
	ICredentialDataDecryptedObject,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

export class PiopiyApi implements ICredentialType {
	name = 'piopiyApi';

	displayName = 'Piopiy API';

	icon = { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' } as const;

	documentationUrl = 'https://github.com/telecmi/n8n-nodes-piopiy#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The API token from the Piopiy dashboard (Settings → API Keys)',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://rest.piopiy.com/v3',
			description: "Piopiy's voice API. Change it only to go through a proxy or a test server.",
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			description:
				'The App ID of your Piopiy app (dashboard → Apps). Needed for calls with a backup agent, PCMO and flow calls, and Get Balance.',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: 'The secret of the same app. Needed only for Get Balance.',
		},
		{
			displayName: 'Account API URL',
			name: 'accountApiUrl',
			type: 'string',
			default: 'https://rest.telecmi.com',
			description: 'The TeleCMI account API that reports the balance',
		},
	];

	/**
	 * Adds `Authorization: Bearer <token>`. A function rather than n8n's generic expression form: n8n
	 * would evaluate that expression for every request, which costs more than the rest of a bulk call.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		return {
			...requestOptions,
			headers: { ...requestOptions.headers, Authorization: `Bearer ${String(credentials.apiToken)}` },
		};
	}
}
