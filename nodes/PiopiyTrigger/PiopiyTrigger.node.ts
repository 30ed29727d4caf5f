import {
	NodeConnectionTypes,
	type IDataObject,
	type IHookFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { passesFilters, type TriggerFilters } from './helpers/filters';
import { eventsFromBody, normalizeEvent, queryWithoutSecret, redactSecret } from './helpers/payload';
import { requestHasSecret } from './helpers/secret';

/** The parts of n8n's response object (an express Response, itself a Node ServerResponse) used here. */
interface ResponseWriter {
	writeHead(statusCode: number, headers: Record<string, string>): unknown;
	end(body: string): unknown;
}

const showSecret = { authentication: ['secret'] };

/**
 * Answers 401 itself and starts nothing, the way n8n's own Webhook node refuses a request that fails
 * its authentication: write the response, then return `noWebhookResponse`.
 */
function refuse(response: ResponseWriter): IWebhookResponseData {
	response.writeHead(401, { 'Content-Type': 'application/json; charset=utf-8' });
	response.end(JSON.stringify({ code: 401, message: 'Unauthorized: missing or wrong secret' }));
	return { noWebhookResponse: true };
}

export class PiopiyTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Piopiy Trigger',
		name: 'piopiyTrigger',
		icon: { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle:
			'={{ {"any": "Any Event", "callStatus": "Call Status / CDR", "callerInput": "Caller Input"}[$parameter["event"]] }}',
		description: 'Starts the workflow when Piopiy posts a call event, a call record or caller input',
		defaults: { name: 'Piopiy Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
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
				options: [
					{
						name: 'Any',
						value: 'any',
						description: 'Every request that carries the secret, whatever Piopiy posts',
					},
					{
						name: 'Call Status / CDR',
						value: 'callStatus',
						description:
							'Call events and call detail records, posted to the webhook URL set in the Piopiy dashboard',
					},
					{
						name: 'Caller Input',
						value: 'callerInput',
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
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				noDataExpression: true,
				default: 'secret',
				options: [
					{
						name: 'None (Not Recommended)',
						value: 'none',
						description: 'Anyone who finds the URL can start the workflow',
					},
					{
						name: 'Secret',
						value: 'secret',
						description: 'Requests must carry the secret in the URL (?secret=) or in an X-Piopiy-Secret header',
					},
				],
			},
			{
				displayName:
					'Piopiy signs nothing, so this secret is the only proof that a request comes from your Piopiy setup. Generate a long random one, e.g. run <code>openssl rand -hex 32</code>, and paste it below. Until a secret is set, every request is refused with 401.',
				name: 'secretNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: showSecret },
			},
			{
				displayName: 'Secret',
				name: 'secret',
				type: 'string',
				typeOptions: { password: true },
				required: true,
				default: '',
				description:
					'Must arrive as the secret query parameter of the URL or as an X-Piopiy-Secret header. Wrong or missing: 401, and the workflow does not start.',
				displayOptions: { show: showSecret },
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

	/**
	 * Piopiy has no API to register a webhook: the URL is entered in the Piopiy dashboard (or an action's
	 * on_result URL). So n8n has nothing to check, create or delete there: checkExists answers true, so
	 * n8n never calls create, and delete has nothing to remove.
	 */
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
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
		const authentication = this.getNodeParameter('authentication', 'secret') as string;
		// Only an explicit "None" opens the URL; any other value, and an empty secret, refuse.
		const secret = authentication === 'none' ? '' : String(this.getNodeParameter('secret', '') ?? '').trim();
		const query = this.getQueryData() as IDataObject;

		if (authentication !== 'none' && !requestHasSecret(query, this.getHeaderData(), secret)) {
			if (secret === '') {
				this.logger.warn(
					`Piopiy Trigger "${this.getNode().name}" refused a request with 401: no secret is set in the node`,
				);
			}
			return refuse(this.getResponseObject() as unknown as ResponseWriter);
		}

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
			.map((payload) => ({ json: redactSecret({ ...payload, piopiyTrigger: trigger }, secret) }));

		// Filtered out: n8n answers 200 ("Webhook call received") and starts no execution.
		if (items.length === 0) return {};
		return { workflowData: [items] };
	}
}
