import type { IDataObject, INode } from 'n8n-workflow';

import { runPiopiyNode } from '../support/engine';
import { WAITING_OPERATIONS } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';

/**
 * The refusals of the operations that ask and wait (more than one input item, a wait limit that is
 * not valid) under n8n's three On Error settings. Nothing is sent in any of them, and no input item
 * passes on as if it had been asked: Stop Workflow fails the run; the two Continue settings output
 * every input item as a failed item ({error, message: 'notSent'}), paired to its input, on the error
 * output where there is one.
 */

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());
beforeEach(() => server.reset());


const REFUSALS: Array<[string, IDataObject[], IDataObject, (label: string) => RegExp]> = [
	['two input items', [{ lead: 1 }, { lead: 2 }], {}, (label) => new RegExp(`^${label} waits for one answer per run, and it received 2 items: nothing was sent\\. .*Loop Over Items`)],
	['a wait limit of 0', [{ lead: 1 }], { waitLimit: 0 }, () => /^Wait Limit \(Minutes\) is not valid: received 0\. Expected .*Nothing was sent\./],
];

const CASES = Object.entries(WAITING_OPERATIONS).flatMap(([label, parameters]) =>
	REFUSALS.map(([refusal, items, extra, message]) => [label, refusal, { ...parameters, ...extra }, items, message(label)] as const),
);

async function run(parameters: IDataObject, items: IDataObject[], onError?: INode['onError']) {
	const result = await runPiopiyNode({ parameters, items, credentials: server.credentials(), executionId: '4720', onError });
	const outputs = result.run.data.resultData.runData.Piopiy?.at(-1)?.data?.main ?? [];
	return { ...result, outputs };
}

describe.each(CASES)('%s, %s', (_label, _refusal, parameters, items, message) => {
	test('Stop Workflow: the run fails with the refusal, nothing is sent, nothing waits', async () => {
		const { error, outputs, run: execution } = await run(parameters, items);
		expect(`${error?.message}. ${error?.description}`).toMatch(message);
		expect(outputs).toEqual([]);
		expect(execution.waitTill).toBeUndefined();
		expect(server.requests).toHaveLength(0);
	});

	test('Continue (regular output): every input item comes out failed, notSent, paired; nothing waits', async () => {
		const { error, outputs, run: execution } = await run(parameters, items, 'continueRegularOutput');
		expect(error).toBeUndefined();
		expect(execution.waitTill).toBeUndefined();
		expect(outputs[0]).toEqual(items.map((_, item) => ({ json: { error: expect.stringMatching(message), message: 'notSent' }, pairedItem: { item } })));
		// Not the input passed on as if asked.
		expect(JSON.stringify(outputs)).not.toContain('lead');
		expect(server.requests).toHaveLength(0);
	});

	test('Continue (using error output): every input item leaves by the error output, notSent, paired', async () => {
		const { error, outputs, run: execution } = await run(parameters, items, 'continueErrorOutput');
		expect(error).toBeUndefined();
		expect(execution.waitTill).toBeUndefined();
		expect(outputs[0]).toEqual([]);
		// n8n puts the paired input's fields beside the error on the error output (its own doing).
		expect(outputs[1]).toEqual(
			items.map((input, item) => ({ json: { ...input, error: expect.stringMatching(message), message: 'notSent' }, pairedItem: { item } })),
		);
		expect(server.requests).toHaveLength(0);
	});
});
