import type { IDataObject } from 'n8n-workflow';

import { runPiopiyNode } from '../support/engine';
import { WAITING_OPERATIONS } from '../support/fixtures';
import { PiopiyTestServer } from '../support/piopiyServer';
import { postAnswer } from '../support/waiting';

/**
 * Issue 26: thousands of random and malformed posts and checks against one waiting Call and Ask
 * question (Approve Key 9, set by expression) give no throw and no approval, and the real answer still
 * resumes it afterwards. Seeded, so a failure repeats; the figures are printed.
 */

const server = new PiopiyTestServer();
beforeAll(async () => server.start());
afterAll(async () => server.stop());

/** A small seeded generator (mulberry32): the same posts on every run. */
function random(seed: number) {
	let state = seed;
	const next = () => {
		state = (state + 0x6d2b79f5) | 0;
		let t = Math.imul(state ^ (state >>> 15), 1 | state);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
	return { next, pick };
}

const KEY_FIELDS = ['digits', 'dtmf', 'dtmf_input', 'keys', 'pressed', 'value', 'input', 'result', 'choice', 'Digits'];
const NOT_THE_APPROVE_KEY = ['1', '2', '3', '99', '9#9', '*', '#', '', ' ', '19', '9 9', 1, 12, 99, -9, 9.5, null, true, [], {}, ['9'], { value: '9' }, '٩', '９'];
const FAILURE_SIGNS: IDataObject[] = [
	{ status: 'hung_up' },
	{ status: 'busy' },
	{ status: 'failed' },
	{ status: 'no_input' },
	{ status: 'max_retries_exceeded' },
	{ status: { code: 'no_input' } },
	{ state: 'queued' },
	{ success: false },
	{ error: true },
	{ error: 'media error' },
	{ data: { status: 'hangup' } },
	{ reason: 'timeout' },
	{ dtmf: '3' },
	{ call_id: '0f0e0d0c-0b0a-4908-8706-050403020100' },
];
const OTHER_FIELDS: IDataObject = { speech: 'yes 9', text: 'approve', status: 'completed', type: 'dtmf', mode: 'speech', message: 'Input collected', event: 'input' };

function randomBody(rng: ReturnType<typeof random>, depth = 0): IDataObject {
	const body: IDataObject = {};
	const fields = Math.floor(rng.next() * 4);
	for (let field = 0; field < fields; field++) {
		const roll = rng.next();
		if (roll < 0.5) body[rng.pick(KEY_FIELDS)] = rng.pick(NOT_THE_APPROVE_KEY) as IDataObject[string];
		else if (roll < 0.8) {
			const name = rng.pick(Object.keys(OTHER_FIELDS));
			body[name] = OTHER_FIELDS[name];
		} else if (depth < 3) body[rng.pick(['data', 'result', 'payload'])] = randomBody(rng, depth + 1);
	}
	// The approve key, but with a sign of failure (or of another call) beside it.
	if (rng.next() < 0.4) Object.assign(body, { [rng.pick(['digits', 'dtmf', 'keys'])]: rng.pick(['9', '9#', 9]) }, rng.pick(FAILURE_SIGNS));
	return body;
}

function malformedBody(rng: ReturnType<typeof random>): unknown {
	const deep = (levels: number) => {
		let value: IDataObject = { digits: '9' };
		for (let level = 0; level < levels; level++) value = { data: value };
		return value;
	};
	return rng.pick<() => unknown>([
		() => deep(9 + Math.floor(rng.next() * 200)),
		() => ({ digits: '9', padding: 'x'.repeat(70_000 + Math.floor(rng.next() * 10_000)) }),
		() => ({ digits: '9', many: Array.from({ length: 2100 }, (_, index) => index) }),
		() => [{ digits: '9' }],
		() => 'digits=9',
		() => 9,
		() => null,
		() => Buffer.from('{"digits":"9"}'),
	])();
}

function malformedCheck(rng: ReturnType<typeof random>, real: string): unknown {
	const flip = (text: string) => {
		const at = Math.floor(rng.next() * text.length);
		return `${text.slice(0, at)}${text[at] === 'a' ? 'b' : 'a'}${text.slice(at + 1)}`;
	};
	return rng.pick<() => unknown>([
		() => `é${real.slice(1)}`,
		() => `${real.slice(0, 63)}\u0000`,
		() => real.toUpperCase(),
		() => flip(real),
		() => real.slice(0, Math.floor(rng.next() * 64)),
		() => `${real}0`,
		() => [real],
		() => ({ check: real }),
		() => '',
		() => undefined,
		() => '💥'.repeat(32),
		() => 'f'.repeat(64),
	])();
}

test('random and malformed posts and checks: 0 throws, 0 approvals; the real answer still resumes the wait', async () => {
	const waiting = await runPiopiyNode({
		parameters: { ...WAITING_OPERATIONS['Call and Ask'], approveKey: '={{ $json.approveKey }}', declineKey: '3' },
		credentials: server.credentials(),
		executionId: '5150',
		items: [{ approveKey: '9' }],
	});
	const url = new URL((server.requests[0].body as { pipeline: Array<{ on_result: { url: string } }> }).pipeline[0].on_result.url);
	const realQuery = Object.fromEntries(url.searchParams) as Record<string, unknown>;
	const rng = random(26);
	const figures = { posts: 0, throws: 0, approvals: 0, resumed: 0, refused: {} as Record<number, number> };

	for (let index = 0; index < 3000; index++) {
		const kind = index % 3;
		let body: unknown = randomBody(rng);
		let query = realQuery;
		if (kind === 1) query = { ...realQuery, piopiy_check: malformedCheck(rng, realQuery.piopiy_check as string), ...(rng.next() < 0.3 ? { piopiy_q: rng.pick(['', 'é', 'x'.repeat(3000), ['a']]) } : {}) };
		if (kind === 2) body = malformedBody(rng);
		// The posts with a forged check carry the approve key, plainly.
		if (kind === 1) body = { digits: '9' };
		figures.posts += 1;
		try {
			const { reply, resumed } = await postAnswer(waiting, url, body, query);
			if (resumed) {
				figures.resumed += 1;
				if (resumed.items[0]?.json.approved === true) figures.approvals += 1;
			} else figures.refused[reply.status] = (figures.refused[reply.status] ?? 0) + 1;
		} catch {
			figures.throws += 1;
		}
	}
	process.stdout.write(`answer fuzz: ${JSON.stringify(figures)}\n`);
	expect(figures).toMatchObject({ posts: 3000, throws: 0, approvals: 0 });
	expect(figures.resumed).toBeGreaterThan(0);

	const real = await postAnswer(waiting, url, { digits: '9' });
	expect(real.reply.status).toBe(200);
	expect(real.resumed?.items[0].json).toMatchObject({ approved: true, decision: 'approved' });
}, 300_000);
