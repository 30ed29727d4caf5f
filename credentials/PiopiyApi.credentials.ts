import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** A call that cannot exist (the nil UUID): hanging it up is the one probe that can place no call. */
export const CREDENTIAL_PROBE_CALL_ID = '00000000-0000-0000-0000-000000000000';

const TOKEN_REJECTED = 'Piopiy rejected the API token. Copy the token again from the Piopiy dashboard (Settings → API Keys).';
const NOT_NOW = 'Piopiy could not check the token right now. Try again in a minute.';
const notConfirmed = (statusCode: number) =>
	`Piopiy did not reject the token (that would be HTTP 401 or 403) but answered HTTP ${statusCode} to the test's hangup of a call that does not exist, so the test cannot confirm the token. Check the Base URL: it must be Piopiy's API root, e.g. https://rest.piopiy.com/v3 (with /v3). If it is, the token is likely fine.`;

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
	 * "Test" in the credential dialog. Piopiy has no read-only endpoint for the token, and every other
	 * endpoint places or changes calls, so the test hangs up a call that cannot exist. n8n runs this
	 * request itself (declarative, as its verified nodes must: a test function would need the
	 * deprecated `helpers.request`), which lets it judge only the status code: a 2xx is a good token,
	 * and each rule below turns a status into what the user should check.
	 */
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ $credentials.baseUrl }}',
			url: '/voice/call/hangup',
			method: 'POST',
			headers: { Accept: 'application/json' },
			body: { call_id: CREDENTIAL_PROBE_CALL_ID, reason: 'n8n credential test' },
			timeout: 15_000,
		},
		rules: [
			...[401, 403].map((value) => ({ type: 'responseCode' as const, properties: { value, message: `${TOKEN_REJECTED} (HTTP ${value})` } })),
			...[429, 500, 502, 503, 504].map((value) => ({ type: 'responseCode' as const, properties: { value, message: `${NOT_NOW} (HTTP ${value})` } })),
			...[400, 404, 405, 409, 410, 422].map((value) => ({ type: 'responseCode' as const, properties: { value, message: notConfirmed(value) } })),
		],
	};

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
