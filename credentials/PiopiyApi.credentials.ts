import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** A call that cannot exist (the nil UUID): hanging it up is the one probe that can place no call. */
export const CREDENTIAL_PROBE_CALL_ID = '00000000-0000-0000-0000-000000000000';

/**
 * What each answer to the test means, and no more than it can tell. The test hangs up a call that
 * does not exist, so only a rejection of the token (401, 403) says something sure about the token.
 */
const STATUS_NAMES: Record<number, string> = {
	400: 'bad request',
	401: 'not authorized',
	403: 'forbidden',
	404: 'not found',
	405: 'method not allowed',
	409: 'conflict',
	410: 'gone',
	422: 'unprocessable',
	429: 'too many requests',
	500: 'server error',
	502: 'bad gateway',
	503: 'service unavailable',
	504: 'gateway timeout',
};
const answered = (status: number) => `Piopiy answered HTTP ${status} (${STATUS_NAMES[status]})`;
const CHECK_BASE_URL =
	"Check the Base URL: it must be Piopiy's API root, e.g. https://rest.piopiy.com/v3 (with /v3).";
const NOT_CONFIRMED =
	'If the Base URL is right, Piopiy may only have refused to hang up a call that does not exist, and the token is then probably good, but this test cannot tell.';

export const CREDENTIAL_TEST_MESSAGES = {
	rejected: (status: number) =>
		`${answered(status)}: it did not accept this API token. Copy the token again from the Piopiy dashboard (Settings → API Keys); it may have been revoked.`,
	notNow: (status: number) =>
		`${answered(status)}: it could not check the token just now. The token was neither accepted nor rejected; try again in a minute.`,
	notConfirmed: (status: number) =>
		`${answered(status)} to the test, which hangs up a call that does not exist. That is no rejection of the token (that would be 401 or 403), but no confirmation either. ${CHECK_BASE_URL} ${NOT_CONFIRMED}`,
	bodySaysFailed: (what: string) =>
		`Piopiy answered with a success status, but its reply says the test failed (${what}). That is no rejection of the token (that would be HTTP 401 or 403), but no confirmation either. ${CHECK_BASE_URL} ${NOT_CONFIRMED}`,
	notJson:
		"The Base URL answered with a success status, but not with JSON, so it is probably not Piopiy's API and the token was not confirmed. Check the Base URL: it must be Piopiy's API root, e.g. https://rest.piopiy.com/v3.",
};

/** Failure codes a reply may carry (docs/piopiy-api.md "Responses"): as numbers, as text and as TeleCMI's "cmi-" codes. */
const FAILURE_CODES = [400, 401, 403, 404, 405, 409, 410, 422, 429, 500, 502, 503, 504].flatMap((code) => [
	code,
	String(code),
	`cmi-${code}`,
]);

/**
 * The checks n8n makes on a 2xx reply's body. n8n compares one field, read with lodash `get`, to one
 * value with `===` (CredentialsTester in n8n 2.41.1 and 1.123.81 alike), so "a truthy field" has to
 * be asked in that form: a reply that is text (not JSON) is a string, whose `constructor.name` is
 * "String"; a non-empty text `error` has a first character, whose is "String" too; an object or a
 * list has "Object" or "Array".
 */
const BODY_RULES: Array<[key: string, value: unknown, what: string]> = [
	['constructor.name', 'String', ''],
	['success', false, 'success: false'],
	['error', true, 'error: true'],
	['error.0.constructor.name', 'String', 'an error'],
	['error.constructor.name', 'Object', 'an error'],
	['error.constructor.name', 'Array', 'an error'],
	...FAILURE_CODES.map((code): [string, unknown, string] => ['code', code, `code ${JSON.stringify(code)}`]),
];

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
	 * deprecated `helpers.request`). n8n 2.41 turns the status into the matching `responseCode`
	 * message (1.123 shows its own text for the status instead: its tester finds no response on the
	 * error); on a 2xx both check the body with the `responseSuccessBody` rules, so a reply that says
	 * it failed does not pass for a good token. Only a 2xx with none of them is "Connection successful!".
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
		// n8n types the rules as a list of one kind or the other, but its tester reads every rule by its
		// type (see above), so one list holds both.
		rules: [
			...[401, 403].map((value) => ({
				type: 'responseCode' as const,
				properties: { value, message: CREDENTIAL_TEST_MESSAGES.rejected(value) },
			})),
			...[429, 500, 502, 503, 504].map((value) => ({
				type: 'responseCode' as const,
				properties: { value, message: CREDENTIAL_TEST_MESSAGES.notNow(value) },
			})),
			...[400, 404, 405, 409, 410, 422].map((value) => ({
				type: 'responseCode' as const,
				properties: { value, message: CREDENTIAL_TEST_MESSAGES.notConfirmed(value) },
			})),
			...BODY_RULES.map(([key, value, what]) => ({
				type: 'responseSuccessBody' as const,
				properties: {
					key,
					value,
					message: what ? CREDENTIAL_TEST_MESSAGES.bodySaysFailed(what) : CREDENTIAL_TEST_MESSAGES.notJson,
				},
			})),
		] as unknown as ICredentialTestRequest['rules'],
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
