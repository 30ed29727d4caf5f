import fs from 'node:fs';
import path from 'node:path';

import type { PiopiyTestServer } from '../../support/piopiyServer';
import { provision } from './runtime';

/**
 * Records, test by test, what the Piopiy stand-in received, so `npm run test:e2e` (scripts/e2e.mjs)
 * can check that n8n 1.x and 2.x made the node send exactly the same requests. Active only when
 * scripts/e2e.mjs sets PIOPIY_E2E_REQUESTS_DIR; writes `<dir>/n8n<line>/<test file>.json`.
 *
 * Call once at the top of a test file, after its `beforeEach` that resets the stand-in:
 *   recordRequests(() => stack?.piopiy);
 *
 * `countVaries`: the file's tests resend within a wall-clock budget or against a rate limit
 * (rateLimit.e2e.ts, burst.e2e.ts), so how many times an identical request arrives, and which of
 * them the stand-in refused with 429, depends on the machine's timing, not on the n8n line. Those
 * tests compare the distinct requests only, without the stand-in's answer; each test asserts its
 * own bound on the count.
 */
export function recordRequests(piopiy: () => PiopiyTestServer | undefined, options: { countVaries?: boolean } = {}): void {
	const dir = process.env.PIOPIY_E2E_REQUESTS_DIR;
	if (!dir) return;
	const entries: Array<{ test: string; requests: unknown[] }> = [];
	afterEach(() => {
		const server = piopiy();
		const { currentTestName } = expect.getState();
		// Test names may name the line's version ("loads in n8n 2.41.1"): the same test on both lines
		// must have the same key.
		const test = currentTestName?.split(provision.VERSIONS.n8n).join('<n8n version>');
		if (server && test) entries.push({ test, requests: comparable(server, options.countVaries === true) });
	});
	afterAll(() => {
		const { testPath } = expect.getState();
		const folder = path.join(dir, `n8n${provision.N8N_LINE}`);
		fs.mkdirSync(folder, { recursive: true });
		fs.writeFileSync(path.join(folder, `${path.basename(testPath ?? 'unknown')}.json`), JSON.stringify(entries, null, 1));
	});
}

/**
 * The requests in a form that is equal on both lines when the node sent the same thing: method,
 * path, body and the stand-in's answer, with this stand-in's random credentials replaced by names,
 * sorted (concurrent requests arrive in any order), and, when their count varies, with repeats and
 * the answers dropped.
 */
function comparable(server: PiopiyTestServer, distinctOnly: boolean): unknown[] {
	const secrets: Array<[string, string]> = [
		[server.token, '<token>'],
		[server.appSecret, '<appSecret>'],
	];
	return server.requests
		.map((request) => {
			let text = JSON.stringify({
				method: request.method,
				path: request.path,
				body: request.body,
				status: distinctOnly ? undefined : request.status,
				authorization: request.headers.authorization ?? null,
			});
			for (const [secret, name] of secrets) text = text.split(secret).join(name);
			// Wrong tokens are made up per stack.
			return text.replace(/pio_wrong_[0-9a-f]+/g, '<wrongToken>');
		})
		.sort()
		.filter((text, index, sorted) => !distinctOnly || text !== sorted[index - 1])
		.map((text) => JSON.parse(text) as unknown);
}
