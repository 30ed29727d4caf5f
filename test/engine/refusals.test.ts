import type { IDataObject } from 'n8n-workflow';

import { runPiopiyNode } from '../support/engine';
import { AGENT_ID, aiCallParameters } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/** Every bad value is refused before sending: the error names field and item, shows what came, says what is expected. */
const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());

const cases: Array<[string, IDataObject, { credentials?: IDataObject }, RegExp, RegExp]> = [
	['a malformed agent ID', { agentId: '3f2b8c1e-9a4d-4e7f-b1c2' }, {}, /Agent ID in item 0 is not valid: received "3f2b8c1e-9a4d-4e7f-b1c2"/, /UUID/],
	['a malformed caller ID', { callerId: 'my office' }, {}, /Caller ID in item 0 is not valid: received "my office"/, /country code/],
	[
		'a variable name with a space',
		{ variables: { text: [{ name: 'customer name', value: 'Asha' }] } },
		{},
		/Variables name in item 0 is not valid: received "customer name"/,
		/letters, digits and underscores/,
	],
	[
		'the same variable twice',
		{ variables: { text: [{ name: 'x', value: 'a' }], number: [{ name: 'x', value: 1 }] } },
		{},
		/Variables name in item 0 is not valid: received "x"/,
		/only once/,
	],
	[
		'a nested variable value in JSON',
		{ variablesInput: 'json', variablesJson: '{"customer": {"name": "Asha"}}' },
		{},
		/Variables \(JSON\) "customer" in item 0 is not valid: received \{"name":"Asha"\}/,
		/nested objects, arrays and null are not allowed/,
	],
	[
		'a null variable value in JSON',
		{ variablesInput: 'json', variablesJson: '{"note": null}' },
		{},
		/Variables \(JSON\) "note" in item 0 is not valid: received null/,
		/nested objects/,
	],
	[
		'variables JSON that is not an object',
		{ variablesInput: 'json', variablesJson: '["a", "b"]' },
		{},
		/Variables \(JSON\) in item 0 is not valid/,
		/an object of names/,
	],
	[
		'variables JSON that does not parse',
		{ variablesInput: 'json', variablesJson: '{"a": 1,}' },
		{},
		/Variables \(JSON\) in item 0 is not valid/,
		/written as JSON/,
	],
	[
		'a number variable that is not a number',
		{ variables: { number: [{ name: 'amount', value: '={{ "twelve" }}' }] } },
		{},
		/Variables "amount" in item 0 is not valid: received "twelve"/,
		/a number/,
	],
	['a ring timeout below 5', { callOptions: { ringTimeoutSec: 3 } }, {}, /Ring Timeout \(Seconds\) in item 0 is not valid: received 3/, /between 5 and 120/],
	['a max duration above 7200', { callOptions: { maxDurationSec: 9000 } }, {}, /Max Duration \(Seconds\) in item 0 is not valid: received 9000/, /between 30 and 7200/],
	['a max duration with a fraction', { callOptions: { maxDurationSec: 60.5 } }, {}, /Max Duration \(Seconds\) in item 0 is not valid: received 60.5/, /whole number/],
	[
		'a backup agent equal to the primary',
		{ useFailover: true, backupAgentId: AGENT_ID.toUpperCase() },
		{},
		/Backup Agent ID in item 0 is not valid/,
		/different agent/,
	],
	['a malformed backup agent', { useFailover: true, backupAgentId: 'backup' }, {}, /Backup Agent ID in item 0 is not valid: received "backup"/, /UUID/],
	[
		'failover without an App ID anywhere',
		{ useFailover: true, backupAgentId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d' },
		{ credentials: { appId: '' } },
		/App ID in item 0 is not valid/,
		/Piopiy API credential/,
	],
	[
		'a connect ring timeout out of range',
		{ useFailover: true, backupAgentId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', failoverOptions: { ringTimeoutSec: 500 } },
		{},
		/Ring Timeout \(Seconds\) in item 0 is not valid: received 500/,
		/between 5 and 120/,
	],
	[
		'a connect max duration below 10',
		{ useFailover: true, backupAgentId: '9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', failoverOptions: { maxDurationSec: 5 } },
		{},
		/Max Duration \(Seconds\) in item 0 is not valid: received 5/,
		/between 10 and 7200/,
	],
];

test.each(cases)('%s is refused with nothing sent', async (_name, overrides, { credentials }, message, expected) => {
	const { error, items } = await runPiopiyNode({
		parameters: aiCallParameters(overrides),
		credentials: server.credentials(credentials ?? {}),
	});
	expect(items).toEqual([]);
	expect(error?.message).toMatch(message);
	expect(error?.description).toMatch(expected);
	expect(error?.description).toContain('Nothing was sent');
	expect(server.requests).toHaveLength(0);
});

test('one bad item among good ones stops the run before any call is placed', async () => {
	const { error } = await runPiopiyNode({
		parameters: aiCallParameters({ toNumber: '={{ $json.phone }}' }),
		items: [{ phone: '+91 98765 43210' }, { phone: '+91 98765 43211' }, { phone: 'n/a' }],
		credentials: server.credentials(),
	});
	expect(error?.message).toContain('To Number in item 2 is not valid: received "n/a"');
	expect(server.requests).toHaveLength(0);
});
