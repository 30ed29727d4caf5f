import { simulate, simulatedScenarios } from '../../bench/simulate';
import { fairShares, ratioToLimit } from '../support/sharedLimit';

describe('the shared-limit figures', () => {
	test('a campaign that used a 10/s limit fully (its first 10 at once, as the limit allows) scores 1; at 5/s, 0.5', () => {
		const burst = Array.from({ length: 10 }, () => ({ at: 0, campaign: 1 }));
		const full = Array.from({ length: 100 }, (_, index) => ({ at: (index + 1) * 100, campaign: 1 }));
		expect(ratioToLimit([...burst, ...full], 10)).toBeCloseTo(1, 5);
		const half = Array.from({ length: 50 }, (_, index) => ({ at: (index + 1) * 200, campaign: 1 }));
		expect(ratioToLimit([...burst, ...half], 10)).toBeCloseTo(0.5, 5);
	});

	test('fair shares count only the time when every campaign ran', () => {
		// Campaign 1 alone for a while (not counted), then 1 and 2 at 3:1.
		const alone = Array.from({ length: 50 }, (_, index) => ({ at: index, campaign: 1 }));
		const together = Array.from({ length: 41 }, (_, index) => ({ at: 100 + index, campaign: index % 4 === 0 ? 2 : 1 }));
		expect(fairShares([...alone, ...together], [1, 2])).toEqual([1.5, 0.5]);
	});
});

describe("the node's limiter and retry loop against a modelled 20/s limit, in virtual time", () => {
	test.each(simulatedScenarios(7, 5).map((scenario) => [scenario.name, scenario] as const))(
		'%s: every lead called exactly once, and the run ends',
		async (_name, scenario) => {
			const result = await simulate(scenario);
			expect([result.duplicates, result.lost]).toEqual([0, 0]);
		},
	);

	// Virtual time: the same figures on any machine, so the goals of issue 27 can be held here.
	const scenario = (prefix: string) => simulatedScenarios(7, 5).find((each) => each.name.startsWith(prefix))!;

	test.each(['rolling', 'fixed'])(
		'a burst of 100 one-item executions into 5/s (%s window): at most 5%% refused, the last call within 1/0.9 of 20 s',
		async (server) => {
			const result = await simulate(scenario(`(burst) 100 executions of one item at once, 100 ms, ${server}`));
			expect(result['429 share']).toBeLessThanOrEqual(0.05);
			expect(result.spanS).toBeLessThanOrEqual(20 / 0.9);
		},
	);

	test.each([1, 2, 3, 4, 5, 6])(
		'a campaign started after another on the same account starts at the learned rate: no 429 in its first 5 s (seed %p)',
		async (seed) => {
			const result = await simulate(simulatedScenarios(seed, 5).find((each) => each.name.startsWith('(seq)'))!);
			expect(result.earlyRefusals[1]).toBe(0);
		},
	);

	test('campaigns in one process share the limit evenly (round-robin), within ±15%', async () => {
		const result = await simulate(scenario('(one process) 4 campaigns'));
		for (const share of result.fairShares) expect(Math.abs(share - 1)).toBeLessThanOrEqual(0.15);
	});
});
