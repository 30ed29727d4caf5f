import { PiopiyTestServer } from '../support/piopiyServer';
import { runPiopiyNode } from '../support/engine';

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());

test('smoke', async () => {
	const result = await runPiopiyNode({
		parameters: { resource: 'aiAgent', operation: 'call', callerId: '+91 80 4567 8900', toNumber: '+91 98765-43210', agentId: '3f2b8c1e-9a4d-4e7f-b1c2-5d6e7f8a9b0c' },
		credentials: server.credentials(),
	});
	console.log(JSON.stringify(result.items), result.error, JSON.stringify(server.requests.map(r => [r.path, r.headers.authorization, r.body, r.status, r.violations])));
});
