import type { IDataObject } from 'n8n-workflow';

import example from '../../examples/piopiy-trigger-caller-input.json';
import { postToTrigger, startTriggerServer, TRIGGER_NODE_TYPE } from '../support/webhook';

/** examples/piopiy-trigger-caller-input.json stays in step with the node. */
describe('example workflow: caller input', () => {
	const trigger = example.nodes.find((node) => node.type === TRIGGER_NODE_TYPE);

	it('uses the trigger by its community-package type, for caller input, behind a secret', () => {
		expect(trigger).toBeDefined();
		expect(trigger!.parameters).toEqual({ event: 'callerInput', authentication: 'secret', secret: '' });
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

	it('refuses every request until the user sets a secret, as shipped', async () => {
		const server = await startTriggerServer(trigger!.parameters as IDataObject);
		try {
			const result = await postToTrigger(server, { query: { secret: '' }, json: { dtmf: '2' } });
			expect(result.status).toBe(401);
			expect(result.call.started).toBe(false);
		} finally {
			await server.close();
		}
	});
});
