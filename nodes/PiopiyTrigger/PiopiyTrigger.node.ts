import {
	NodeConnectionTypes,
	NodeOperationError,
	type ICredentialsDecrypted,
	type ICredentialTestFunctions,
	type IDataObject,
	type IHookFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { PICKER_ENTRY_DESCRIPTION } from '../shared/pickerEntry';
import { MIN_SECRET_LENGTH, redactSecretsInData } from '../shared/redact';
import { passesFilters, type TriggerFilters } from './helpers/filters';
import { eventsFromBody, normalizeEvent, queryWithoutSecret } from './helpers/payload';
import { requestHasSecret, secretProblem } from './helpers/secret';

/** The parts of n8n's response object (an express Response, itself a Node ServerResponse) used here. */
interface ResponseWriter {
	writeHead(statusCode: number, headers: Record<string, string>): unknown;
	end(body: string): unknown;
}

/** The credential that holds the secret (Authentication: Secret (Credential)). */
export const WEBHOOK_CREDENTIAL = 'piopiyWebhookApi';

/**
 * Authentication values. `secretParameter` is the only secret of version 1 ("secret", the value its
 * workflows store or, as the default, leave out): the secret typed into the node, in clear text in the
 * workflow JSON. It is still honoured; version 1.1 offers only the credential.
 */
const AUTHENTICATION = { none: 'none', credential: 'credential', secretParameter: 'secret' } as const;

/** The secret the trigger checks requests against, or why it has none it can use. */
type TriggerSecret = { open: true } | { open: false; secret: string; problem?: string };

/**
 * Reads the secret: Authentication "None" opens the trigger; the credential when Authentication is
 * "Secret (Credential)"; the version 1 node parameter otherwise (any other value fails closed).
 */
async function readTriggerSecret(context: IWebhookFunctions | IHookFunctions): Promise<TriggerSecret> {
	const authentication = context.getNodeParameter('authentication', AUTHENTICATION.secretParameter) as string;
	if (authentication === AUTHENTICATION.none) return { open: true };
	if (authentication === AUTHENTICATION.credential) {
		if (!context.getNode().credentials?.[WEBHOOK_CREDENTIAL]) {
			return { open: false, secret: '', problem: 'no Piopiy Webhook API credential is selected in the node' };
		}
		const credential = await context.getCredentials<{ secret?: unknown }>(WEBHOOK_CREDENTIAL);
		const secret = String(credential.secret ?? '').trim();
		return { open: false, secret, problem: secretProblem(secret, 'in its Piopiy Webhook API credential') };
	}
	const secret = String(context.getNodeParameter('secret', '') ?? '').trim();
	return { open: false, secret, problem: secretProblem(secret, 'in the node') };
}

/** What to do about a secret problem: the description of the activation error. */
const HOW_TO_FIX = `Select a Piopiy Webhook API credential (Authentication → Secret (Credential)) whose secret has at least ${MIN_SECRET_LENGTH} characters, e.g. the output of openssl rand -hex 32, and put the same secret in the URLs Piopiy calls (?secret=). A secret typed into the node is deprecated: it is saved in clear text in the workflow.`;

const UNAUTHORIZED = 'Unauthorized: missing or wrong secret';
const NOT_SET_UP = `Unauthorized: this Piopiy Trigger refuses every request until it has a secret of at least ${MIN_SECRET_LENGTH} characters`;

/**
 * Answers 401 itself and starts nothing, the way n8n's own Webhook node refuses a request that fails
 * its authentication: write the response, then return `noWebhookResponse`.
 */
function refuse(response: ResponseWriter, message: string): IWebhookResponseData {
	response.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify({ code: 401, message }));
	return { noWebhookResponse: true };
}

const versionOne = { '@version': [1] };

const NO_AUTHENTICATION = {
	name: 'None (Not Recommended)',
	value: AUTHENTICATION.none,
	description: 'Anyone who finds the URL can start the workflow',
};
const SECRET_CREDENTIAL = {
	name: 'Secret (Credential)',
	value: AUTHENTICATION.credential,
	description:
		'Requests must carry the secret of a Piopiy Webhook API credential in the URL (?secret=) or in an X-Piopiy-Secret header',
};
const SECRET_PARAMETER = {
	name: 'Secret in Node Parameter (Deprecated)',
	value: AUTHENTICATION.secretParameter,
	description: 'The secret is saved in clear text in the workflow. Use Secret (Credential) instead.',
};

export class PiopiyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Piopiy Trigger',
		name: 'piopiyTrigger',
		icon: { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' },
		group: ['trigger'],
		version: [1, 1.1],
		defaultVersion: 1.1,
		subtitle:
			'={{ {"any": "Any Event", "callStatus": "Call Status / CDR", "callerInput": "Caller Input"}[$parameter["event"]] }}',
		// n8n's node picker shows this text for the Piopiy entry that holds both nodes (see pickerEntry.ts).
		description: PICKER_ENTRY_DESCRIPTION,
		defaults: { name: 'Piopiy Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				// WEBHOOK_CREDENTIAL, written out: n8n's lint reads the name here to find the credential's test.
				name: 'piopiyWebhookApi',
				required: true,
				testedBy: 'piopiyWebhookSecretLength',
				displayOptions: { show: { authentication: [AUTHENTICATION.credential] } },
			},
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'piopiy' }],
		eventTriggerDescription: 'Waiting for Piopiy to call the Test URL',
		activationMessage: 'Piopiy can now call the Production URL, with the secret',
		properties: [
			{
				displayName: 'Event',
				name: 'event',
				type: 'options',
				noDataExpression: true,
				default: 'callStatus',
				// `action` is the event's name in n8n's node picker; without it the picker makes one of the
				// name, lower-cased ("On call status cdr").
				options: [
					{
						name: 'Any Event',
						value: 'any',
						action: 'On any event',
						description: 'Every request that carries the secret, whatever Piopiy posts',
					},
					{
						name: 'Call Status / CDR',
						value: 'callStatus',
						action: 'On call status or call record (CDR)',
						description:
							'Call events and call detail records, posted to the webhook URL set in the Piopiy dashboard',
					},
					{
						name: 'Caller Input',
						value: 'callerInput',
						action: 'On caller input',
						description:
							'DTMF digits or speech from a Play and Get Input action whose on_result URL is this trigger',
					},
				],
			},
			{
				displayName:
					'In the Piopiy dashboard, set the call events / CDR webhook to the Production URL above followed by <code>?secret=</code> and your secret. Use the Test URL while you build the workflow.',
				name: 'callStatusNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { event: ['callStatus', 'any'] } },
			},
			{
				displayName:
					'In a Play and Get Input action, set <code>on_result</code> to <code>{"type": "url", "url": "&lt;Production URL&gt;?secret=&lt;your secret&gt;"}</code>. Add parameters of your own (e.g. <code>&amp;step=menu</code>) to tell steps apart.',
				name: 'callerInputNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { event: ['callerInput', 'any'] } },
			},
			// Version 1 keeps its default, the secret in the node, for the workflows that rely on it; 1.1
			// uses a credential.
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				default: 'secret',
				displayOptions: { show: versionOne },
				options: [NO_AUTHENTICATION, SECRET_CREDENTIAL, SECRET_PARAMETER],
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				default: 'credential',
				displayOptions: { hide: versionOne },
				options: [NO_AUTHENTICATION, SECRET_CREDENTIAL],
			},
			{
				displayName: `Piopiy signs nothing, so this secret is the only proof that a request comes from your Piopiy setup. Select or create a Piopiy Webhook API credential with a long random secret (at least ${MIN_SECRET_LENGTH} characters, e.g. the output of <code>openssl rand -hex 32</code>). n8n keeps it encrypted, out of the workflow. Until one is set, every request is refused with 401.`,
				name: 'credentialNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: [AUTHENTICATION.credential] } },
			},
			{
				displayName: `Deprecated: a secret typed here is saved in clear text in the workflow, its exports and its history. Choose Authentication → Secret (Credential) and put the same secret in a Piopiy Webhook API credential; the URLs Piopiy calls stay as they are. The secret needs at least ${MIN_SECRET_LENGTH} characters.`,
				name: 'secretNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: [AUTHENTICATION.secretParameter] } },
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description:
					'Deprecated: use Secret (Credential). Must arrive as the secret query parameter of the URL or as an X-Piopiy-Secret header. Wrong or missing: 401, and the workflow does not start.',
				displayOptions: { show: { authentication: [AUTHENTICATION.secretParameter] } },
			},
			{
				displayName:
					'Without authentication, anyone who finds this URL can start the workflow with any data. Piopiy signs nothing, so nothing shows that a request came from Piopiy.',
				name: 'noAuthenticationNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { authentication: ['none'] } },
			},
			{
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				description:
					'Events that do not pass are answered with 200 and start nothing. A set filter must be met: an event without a status or duration does not pass it.',
				displayOptions: { show: { event: ['callStatus', 'any'] } },
				options: [
					{
						displayName: 'Minimum Duration (Seconds)',
						name: 'minDuration',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description:
							'Only calls that lasted at least this long, read from duration (else answeredsec). 0 means no minimum.',
					},
					{
						displayName: 'Other Statuses',
						name: 'otherStatuses',
						type: 'string',
						default: '',
						placeholder: 'e.g. no_answer, cancelled',
						description: 'More statuses to accept, separated by commas; case does not matter',
					},
					{
						displayName: 'Statuses',
						name: 'statuses',
						type: 'multiOptions',
						default: [],
						description: 'Only events whose status is one of these (together with Other Statuses)',
						options: [
							{ name: 'Answered', value: 'answered' },
							{ name: 'Busy', value: 'busy' },
							{ name: 'Failed', value: 'failed' },
							{ name: 'Missed', value: 'missed' },
						],
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			/** "Test" of a Piopiy Webhook API credential: Piopiy cannot check a secret, so only its length is checked. */
			async piopiyWebhookSecretLength(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const problem = secretProblem(String(credential.data?.secret ?? '').trim(), 'in this credential');
				if (problem) {
					return { status: 'Error', message: `Not usable: ${problem}. Use a long random secret, e.g. the output of openssl rand -hex 32.` };
				}
				return { status: 'OK', message: 'The secret is long enough' };
			},
		},
	};

	/**
	 * Piopiy has no API to register a webhook: the URL is entered in the Piopiy dashboard (or an action's
	 * on_result URL). So n8n has nothing to create or delete there, and checkExists answers true, so n8n
	 * never calls create. n8n calls checkExists when it activates the workflow or listens for a test
	 * event: a trigger without a usable secret is refused there, with what to do.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const secret = await readTriggerSecret(this);
				if (!secret.open && secret.problem) {
					throw new NodeOperationError(this.getNode(), `Piopiy Trigger "${this.getNode().name}" cannot accept requests: ${secret.problem}`, {
						description: HOW_TO_FIX,
					});
				}
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const auth = await readTriggerSecret(this);
		const query = this.getQueryData() as IDataObject;
		const response = this.getResponseObject() as unknown as ResponseWriter;

		if (!auth.open) {
			// Checked before the request's secret: a short secret is refused even when a request carries it.
			if (auth.problem) {
				this.logger.warn(`Piopiy Trigger "${this.getNode().name}" refused a request with 401: ${auth.problem}`);
				return refuse(response, NOT_SET_UP);
			}
			if (!requestHasSecret(query, this.getHeaderData(), auth.secret)) return refuse(response, UNAUTHORIZED);
		}
		const secrets = auth.open ? [] : [auth.secret];

		const event = this.getNodeParameter('event', 'callStatus') as string;
		const filters =
			event === 'callerInput' ? {} : (this.getNodeParameter('filters', {}) as TriggerFilters);
		const trigger: IDataObject = {
			event,
			receivedAt: new Date().toISOString(),
			query: queryWithoutSecret(query),
		};

		const items: INodeExecutionData[] = eventsFromBody(this.getBodyData())
			.map(normalizeEvent)
			.filter((payload) => passesFilters(payload, filters))
			.map((payload) => ({ json: redactSecretsInData({ ...payload, piopiyTrigger: trigger }, secrets) }));

		// Filtered out: n8n answers 200 ("Webhook call received") and starts no execution.
		if (items.length === 0) return {};
		return { workflowData: [items] };
	}
}
