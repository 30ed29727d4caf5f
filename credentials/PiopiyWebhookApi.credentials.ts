import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The secret the Piopiy Trigger requires on every request Piopiy sends it. A credential rather than a
 * node parameter, as n8n's own Webhook node keeps its Header Auth and Basic Auth secrets: n8n stores it
 * encrypted, and it stays out of the workflow's JSON, its exports, its history and copy-paste.
 *
 * It signs no outgoing request, so it has no `authenticate`. "Test" is the trigger's credential test
 * (`testedBy` in PiopiyTrigger.node.ts): it checks the secret is long enough, which is all that can
 * be checked, since Piopiy has no API to compare it with.
 */
export class PiopiyWebhookApi implements ICredentialType {
	name = 'piopiyWebhookApi';

	displayName = 'Piopiy Webhook API';

	icon = { light: 'file:piopiy.svg', dark: 'file:piopiy.dark.svg' } as const;

	documentationUrl = 'https://github.com/telecmi/n8n-nodes-piopiy#trigger';

	properties: INodeProperties[] = [
		{
			displayName:
				'Piopiy signs nothing, so this secret is the only proof that a request to the Piopiy Trigger comes from your Piopiy setup. Use a long random one (at least 16 characters), e.g. the output of <code>openssl rand -hex 32</code>, and add it to the URLs Piopiy calls as <code>?secret=</code>.',
			name: 'notice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'At least 16 characters. Requests must carry it as the secret query parameter of the URL or in an X-Piopiy-Secret header.',
		},
	];
}
