import { judgeReply } from '../../nodes/Piopiy/helpers/response';
import type { Exchange } from '../../scripts/live-check/exchange';
import { headlineOf } from '../../scripts/live-check/headline';

/** The live check's headline (scripts/live-check/headline.ts), directly: each "yes" needs a positive sign. */

const BASE = 'https://rest.piopiy.com/v3';
const ACCOUNT = 'https://rest.telecmi.com';
const VOICE = ['credentialTest', 'hangupMissingCall', 'lowerCaseCause', 'invalidBody'];

function exchange(name: string, status: number | undefined, body: unknown = {}): Exchange {
	return {
		name,
		purpose: '',
		request: { method: 'POST', url: `${name === 'balance' ? ACCOUNT : BASE}/x`, headers: {}, body: {} },
		...(status === undefined
			? { error: 'ECONNREFUSED' }
			: { reply: { status, statusText: '', headers: {}, text: JSON.stringify(body), body, verdict: judgeReply(status, body) } }),
		elapsedMs: 1,
	};
}

const voice = (status: number | undefined, body?: unknown) => VOICE.map((name) => exchange(name, status, body));
const states = (exchanges: Exchange[]) => {
	const { token, voiceApi, accountApi } = headlineOf(exchanges, BASE, ACCOUNT);
	return [token.state, voiceApi.state, accountApi.state];
};

test.each<[string, Exchange[], string[]]>([
	['every request accepted', [...voice(200, { success: true }), exchange('balance', 200, { code: 200, balance: 1 })], ['accepted', 'reached', 'reached']],
	['every voice request 401', voice(401, { error: 'Unauthorized' }), ['refused', 'not confirmed', 'not asked']],
	['bare 404s (a Base URL without /v3)', voice(404, { error: 'not found' }), ['unknown', 'not found', 'not asked']],
	['a 404 that names a call', voice(404, { error: 'call not found' }), ['accepted', 'reached', 'not asked']],
	['validation errors only', voice(400, { error: 'invalid' }), ['accepted', 'reached', 'not asked']],
	['5xx only', voice(503), ['unknown', 'not confirmed', 'not asked']],
	['no reply', [...voice(undefined), exchange('balance', undefined)], ['unknown', 'no reply', 'no reply']],
	['the balance refused', [...voice(200, { success: true }), exchange('balance', 404, { code: 404, msg: 'Invalid appid or secret' })], ['accepted', 'reached', 'refused']],
	[
		'the Test refused, the others past sign-in',
		[exchange('credentialTest', 401, { error: 'no' }), exchange('hangupMissingCall', 404, { error: 'call not found' }), exchange('lowerCaseCause', 400), exchange('invalidBody', 400)],
		['accepted', 'reached', 'not asked'],
	],
])('%s', (_name, exchanges, expected) => {
	expect(states(exchanges)).toEqual(expected);
});
