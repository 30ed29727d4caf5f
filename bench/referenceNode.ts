import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';

/** The caller ID of the calls the bare nodes place (the Piopiy node's fixture number, digits only). */
export const CALLER_ID = '918045678900';

/**
 * The least any node must do to place these calls in n8n: read the number, send the request through
 * n8n's authenticated HTTP helper, with the same concurrency. No validation, mapping, retries or error
 * handling. Piopiy's CPU per item minus this one's is the node's own overhead.
 */
export class ReferenceCallNode implements INodeType {
	description = {
		displayName: 'Reference Call',
		name: 'referenceCall',
		group: ['output'],
		version: 1,
		description: 'Benchmark baseline',
		defaults: { name: 'Reference Call' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [{ name: 'piopiyApi', required: true }],
		// n8n hands a node only the parameters its description declares.
		properties: [
			{ displayName: 'To Number', name: 'toNumber', type: 'string', default: '' },
			{ displayName: 'Agent ID', name: 'agentId', type: 'string', default: '' },
			{
				displayName: 'Request Options',
				name: 'requestOptions',
				type: 'collection',
				default: {},
				options: [{ displayName: 'Concurrency', name: 'concurrency', type: 'number', default: 5 }],
			},
		],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const credentials = await this.getCredentials('piopiyApi');
		const concurrency = (this.getNodeParameter('requestOptions', 0, {}) as IDataObject).concurrency as number;
		const output: INodeExecutionData[] = new Array(items.length);
		let next = 0;
		const lane = async () => {
			while (next < items.length) {
				const index = next++;
				const body = {
					caller_id: CALLER_ID,
					to_number: String(this.getNodeParameter('toNumber', index)).replace(/\D/g, ''),
					agent_id: this.getNodeParameter('agentId', index) as string,
				};
				const reply = (await this.helpers.httpRequestWithAuthentication.call(this, 'piopiyApi', {
					method: 'POST',
					url: `${String(credentials.baseUrl)}/voice/ai/call`,
					body,
					json: true,
				})) as IDataObject;
				output[index] = { json: reply, pairedItem: { item: index } };
			}
		};
		await Promise.all(Array.from({ length: concurrency }, lane));
		return [output];
	}
}
