import type { IDataObject } from 'n8n-workflow';

import example from '../../examples/piopiy-trigger-caller-input.json';
import { SANDBOX, SANDBOX_WEBHOOK_CREDENTIAL } from '../../scripts/sandbox/config';
import { postToTrigger, startTriggerServer, TRIGGER_NODE_TYPE, type TriggerNodeOptions } from '../support/webhook';

/** examples/piopiy-trigger-caller-input.json stays in step with the node. */
describe('example workflow: caller input', () => {
	const trigger = example.nodes.find((node) => node.type === TRIGGER_NODE_TYPE);

	it('uses the trigger by its community-package type, version 1.1, for caller input, with its secret in a credential', () => {
		expect(trigger).toBeDefined();
		expect(trigger!.typeVersion).toBe(1.1);
		// No secret in the workflow's JSON: it is in the Piopiy Webhook API credential `npm start` imports.
		expect(trigger!.parameters).toEqual({ event: 'callerInput', authentication: 'credential' });
		const { type: _type, ...reference } = SANDBOX_WEBHOOK_CREDENTIAL;
		expect(trigger!.credentials).toEqual({ piopiyWebhookApi: reference });
		expect(trigger!.webhookId).toMatch(/^[0-9a-f-]{36}$/);
	});

	it('connects only nodes it contains, trigger → IF → HTTP Request / NoOp', () => {
		const names = new Set(example.nodes.map((node) => node.name));
		for (const [source, { main }] of Object.entries(example.connections)) {
			expect(names).toContain(source);
			for (const target of main.flat()) expect(names).toContain(target.node);
		}
		expect(example.connections['Piopiy Trigger'].main[0][0].node).toBe('Pressed 2?');
	});

	async function postDigit(options: TriggerNodeOptions, secret: string) {
		const server = await startTriggerServer(trigger!.parameters as IDataObject, { typeVersion: trigger!.typeVersion, ...options });
		try {
			return await postToTrigger(server, { query: { secret, step: 'menu' }, json: { dtmf: '2' } });
		} finally {
			await server.close();
		}
	}

	it('refuses every request until its credential holds a secret', async () => {
		const result = await postDigit({}, '');
		expect(result.status).toBe(401);
		expect(result.call.started).toBe(false);
	});

	it('starts with the secret of the sandbox credential it names', async () => {
		const result = await postDigit({ webhookCredential: { secret: SANDBOX.webhookSecret } }, SANDBOX.webhookSecret);
		expect(result.call.started).toBe(true);
		expect(result.items[0]).toMatchObject({ dtmf: '2', piopiyTrigger: { event: 'callerInput', query: { step: 'menu' } } });
	});
});
