/**
 * How well campaigns used a rate limit they shared, from the requests the server accepted: the
 * queue-mode e2e test and the virtual-time simulation (bench/simulate.ts) count it the same way.
 */
export interface AcceptedRequest {
	/** When the server accepted it, in ms. */
	at: number;
	campaign: number;
}

/**
 * Accepted requests a second as a share of the limit. n calls in a span of s seconds under a limit
 * of L per rolling second: at best (n - L) / s = L (the first L may go at once).
 */
export function ratioToLimit(accepted: readonly AcceptedRequest[], limitPerSecond: number): number {
	const times = accepted.map((request) => request.at);
	const seconds = (Math.max(...times) - Math.min(...times)) / 1000;
	return (accepted.length - limitPerSecond) / seconds / limitPerSecond;
}

/**
 * Each campaign's accepted requests while all of them ran (from the last one's first acceptance to
 * the first one's last), as a share of an even split: 1 is fair, 0.85-1.15 is within ±15%.
 */
export function fairShares(accepted: readonly AcceptedRequest[], campaigns: readonly number[]): number[] {
	const of = (campaign: number) => accepted.filter((request) => request.campaign === campaign).map((request) => request.at);
	const from = Math.max(...campaigns.map((campaign) => Math.min(...of(campaign))));
	const to = Math.min(...campaigns.map((campaign) => Math.max(...of(campaign))));
	const during = accepted.filter((request) => request.at >= from && request.at <= to);
	return campaigns.map(
		(campaign) => (during.filter((request) => request.campaign === campaign).length * campaigns.length) / Math.max(1, during.length),
	);
}
