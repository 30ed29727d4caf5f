import { provision } from './support/runtime';
import type { Browser } from './support/playwright';
import { GOOD_CREDENTIAL, N8N_VERSION, startStack, TYPE_PREFIX, type Stack } from './support/stack';
import { forE2e, readExample } from './support/workflows';

/**
 * examples/form-to-ai-call.json as a user meets it: published in a real n8n, its production form
 * opened in headless Chromium (Debian's `chromium`, driven by playwright-core from the provisioned
 * runtime), filled in and submitted. The form answers after the Piopiy node has run, so the page
 * must say "Call placed" only when the stand-in queued a call, and say why not otherwise.
 */

const FORM_PATH = '/form/piopiy-ai-call';
const WORKFLOW_ID = 'E2eExFormLive001';
const TIMEOUT = 45_000;

let stack: Stack;
let browser: Browser | undefined;

beforeAll(async () => {
	const executablePath = provision.findChromium();
	if (!executablePath) {
		throw new Error('no Chromium found: install Debian\'s package (`apt-get install -y chromium`) or set CHROMIUM_PATH');
	}
	const typePrefix = TYPE_PREFIX.communityPackage;
	stack = await startStack({
		name: 'form',
		install: 'communityPackage',
		wrongTokenCredential: false,
		workflows: [forE2e(readExample('form-to-ai-call.json'), { id: WORKFLOW_ID, credential: GOOD_CREDENTIAL, typePrefix })],
	});
	await stack.publish(WORKFLOW_ID, FORM_PATH);
	const { chromium } = (await provision.importFromRuntime('playwright-core')) as {
		chromium: { launch(options: object): Promise<Browser> };
	};
	browser = await chromium.launch({ executablePath, args: [...provision.CHROMIUM_ARGS], headless: true, timeout: 60_000 });
}, 300_000);

afterAll(async () => {
	await browser?.close().catch(() => undefined);
	await stack?.stop();
}, 60_000);

beforeEach(() => stack?.piopiy.reset());

/** Opens the production form, fills it in, submits it, and returns the text of the page it ends on. */
async function submitForm(name: string, phone: string): Promise<string> {
	const context = await browser!.newContext();
	try {
		const page = await context.newPage();
		page.setDefaultTimeout(TIMEOUT);
		await page.goto(new URL(FORM_PATH, stack.url).toString());
		await page.getByText('Get a call from our AI assistant').first().waitFor();
		await page.getByLabel('Name').fill(name);
		await page.getByLabel('Phone').fill(phone);
		await page.getByRole('button', { name: 'Call me' }).click();
		// Both ending pages carry a title starting with "Call"; the form page has none.
		const ending = page.getByText(/^Call (not )?placed$/);
		await ending.waitFor({ state: 'visible' });
		return await page.locator('body').innerText();
	} finally {
		await context.close();
	}
}

describe(`the form example in n8n ${N8N_VERSION}: the form answers after the Piopiy node`, () => {
	it('a good number: the stand-in queued one call with the form data, and the page says so', async () => {
		const text = await submitForm('Asha Rao', '+91 98765 43210');
		expect(text).toContain('Call placed');
		expect(text).toContain('Our AI assistant is calling you now.');
		expect(text).not.toContain('Call not placed');

		const placed = stack.piopiy.placedCalls();
		expect(placed).toHaveLength(1);
		expect(placed[0].path).toBe('/voice/ai/call');
		expect(placed[0].violations).toEqual([]);
		expect(placed[0].body).toMatchObject({
			to_number: '919876543210',
			variables: { customer_name: 'Asha Rao', customer_phone: '+91 98765 43210' },
		});
	});

	it('a bad number: nothing is sent, and the page says no call was made and why', async () => {
		const text = await submitForm('Asha Rao', 'n/a');
		expect(text).toContain('Call not placed');
		expect(text).toContain('We did not call you: "n/a" is not a phone number we can call.');
		expect(text).not.toContain('calling you now');
		expect(stack.piopiy.requests).toEqual([]);
	});

	it('the form sent again for the same person (issue 28): nothing sent, and the page says the call is already on its way', async () => {
		const text = await submitForm('Asha Rao', '+91 98765 43210');
		expect(text).toContain('Call not placed');
		expect(text).toContain('We already have your request from a moment ago and are calling you, so we did not call you twice.');
		expect(stack.piopiy.requests).toEqual([]);
	});

	it('Piopiy answers 503 (it may have placed the call): the page asks not to send the form again', async () => {
		stack.piopiy.behaviour = () => ({ status: 503, body: { success: false, error: 'upstream failure' } });
		// Another person: the one above was called moments ago, and the node would not call her again.
		const text = await submitForm('Ravi Kumar', '+91 98765 43211');
		expect(text).toContain('Call not placed');
		expect(text).toContain('We could not confirm your call.');
		expect(text).toContain('Please do not send the form again.');
		// Sent once and not re-sent: a call with an unknown outcome is never placed twice.
		expect(stack.piopiy.requests.filter((request) => request.path === '/voice/ai/call')).toHaveLength(1);
	});
});
