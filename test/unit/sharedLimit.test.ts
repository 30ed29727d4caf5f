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
			expect(result.fairShares.every((share) => share > 0)).toBe(true);
		},
	);
});
