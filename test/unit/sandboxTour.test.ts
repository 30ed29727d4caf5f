import { CREDENTIAL_PROBE_CALL_ID } from '../../credentials/PiopiyApi.credentials';
import { SANDBOX } from '../../scripts/sandbox/config';
import { NOTES_N8N_URL, readExamples, tryItCommands, withN8nUrl, type WorkflowNode } from '../../scripts/sandbox/examples';
import { summarize } from '../../scripts/sandbox/server';
import type { RecordedRequest } from '../support/piopiyServer';

/**
 * The `npm start` tour's words: every example a webhook starts gives a command in its note that
 * starts it as pasted (the tour e2e, test/e2e/tour.e2e.ts, runs them against a real n8n), and the
 * sandbox's log names n8n's credential test as what it is.
 */

/** The production URL path an example's first node listens on, or undefined when no webhook starts it. */
function webhookPath(node: WorkflowNode): string | undefined {
	if (node.type === 'n8n-nodes-base.webhook') return `/webhook/${String(node.parameters.path)}`;
	if (node.type === 'n8n-nodes-piopiy.piopiyTrigger') return `/webhook/${String(node.webhookId)}/piopiy`;
	return undefined;
}

/** `curl -X POST '<url>' -H 'Content-Type: application/json' -d '<json>'`, taken apart. */
function parseCurl(command: string): { url: URL; body: unknown } {
	const match = /^curl -X POST '?(http:\/\/[^' ]+)'? -H 'Content-Type: application\/json' -d '([^']*)'$/.exec(command);
	if (!match) throw new Error(`not a ready-to-paste POST: ${command}`);
	return { url: new URL(match[1]), body: JSON.parse(match[2]) };
}

describe('the sandbox tour', () => {
	const examples = readExamples();
	const started = examples
		.map(({ file, workflow }) => ({ file, workflow, path: workflow.nodes.map(webhookPath).find(Boolean) }))
		.filter((example) => example.path);

	test('four examples are started by a webhook', () => {
		expect(started.map(({ file }) => file).sort()).toEqual([
			'ai-agent-phone-approval.json',
			'appointment-confirmation-by-phone.json',
			'crm-webhook-transfer-or-hangup.json',
			'piopiy-trigger-caller-input.json',
		]);
	});

	test.each(started.map((example) => [example.file, example] as const))('%s: its note gives a command that posts JSON to its webhook, and says where to watch the run', (_file, example) => {
		const commands = tryItCommands(example.workflow);
		expect(commands.length).toBeGreaterThan(0);
		for (const command of commands) {
			const { url, body } = parseCurl(command);
			expect(url.origin).toBe(NOTES_N8N_URL);
			expect(url.pathname).toBe(example.path);
			expect(typeof body).toBe('object');
		}
		const note = example.workflow.nodes.find((node) => node.type === 'n8n-nodes-base.stickyNote');
		expect(String(note?.parameters.content)).toMatch(/\*\*Publish\*\*/);
		expect(String(note?.parameters.content)).toMatch(/\*\*Executions\*\* tab/);
	});

	test("the trigger example's command carries the sandbox credential's secret", () => {
		const trigger = started.find(({ file }) => file === 'piopiy-trigger-caller-input.json')!;
		const { url } = parseCurl(tryItCommands(trigger.workflow)[0]);
		expect(url.searchParams.get('secret')).toBe(SANDBOX.webhookSecret);
	});

	test('npm start on another port puts that port in the notes and their commands, and nothing else changes', () => {
		const appointment = examples.find(({ file }) => file === 'appointment-confirmation-by-phone.json')!.workflow;
		const moved = withN8nUrl(appointment, 'http://127.0.0.1:5688');
		expect(tryItCommands(appointment, 'http://127.0.0.1:5688')).toEqual(tryItCommands(moved));
		expect(tryItCommands(moved)[0]).toMatch(/^curl -X POST http:\/\/127\.0\.0\.1:5688\/webhook\/piopiy-appointment /);
		expect(JSON.stringify(moved)).not.toContain(NOTES_N8N_URL);
		expect(JSON.parse(JSON.stringify(moved).split('5688').join('5678'))).toEqual(appointment);
		expect(withN8nUrl(appointment, NOTES_N8N_URL)).toBe(appointment);
	});

	const request = (body: object): RecordedRequest =>
		({ method: 'POST', path: '/voice/call/hangup', headers: {}, body, raw: JSON.stringify(body), violations: [], status: 200, receivedAt: 0 }) as unknown as RecordedRequest;

	test("the sandbox's log line for n8n's credential test says it is the credential test", () => {
		const reply = { status: 200, body: { success: true, message: 'call_hangup_requested' } };
		expect(summarize(request({ call_id: CREDENTIAL_PROBE_CALL_ID }), reply)).toBe(
			'credential test (n8n tested the Piopiy API credential: a hang-up of the all-zero call ID, which no call has; no call is touched) · call_hangup_requested · call 00000000-0000-0000-0000-000000000000',
		);
		expect(summarize(request({ call_id: CREDENTIAL_PROBE_CALL_ID }), { status: 401, body: {} })).toMatch(/^credential test .* · token rejected/);
		// A real hang-up reads as one.
		expect(summarize(request({ call_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d' }), reply)).toBe('call_hangup_requested · call a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d');
	});
});
