import { InvalidCredentialError, InvalidFieldError } from '../../nodes/Piopiy/helpers/errors';
import { balanceOutput, buildBalanceRequest } from '../../nodes/Piopiy/mapping/balance';

describe('buildBalanceRequest', () => {
	test('the App ID becomes a number, the request goes to the account API and may be repeated', () => {
		expect(buildBalanceRequest({ appId: ' 2222333 ', appSecret: 's3cret' })).toEqual({
			api: 'account',
			path: '/v2/balance',
			body: { appid: 2222333, secret: 's3cret' },
			effect: 'repeatable',
		});
	});

	test.each(['0', '-5', '12.5', '1e6', '99999999999999999999'])('App ID %s is refused', (appId) => {
		expect(() => buildBalanceRequest({ appId, appSecret: 's3cret' })).toThrow(InvalidFieldError);
	});

	test('a missing secret is refused without showing anything of it', () => {
		try {
			buildBalanceRequest({ appId: '2222333', appSecret: ' \t ' });
			throw new Error('expected a refusal');
		} catch (error) {
			expect(error).toBeInstanceOf(InvalidFieldError);
			expect((error as InvalidFieldError).received).toBeUndefined();
		}
	});
});

describe('what a credential lacks is said of the credential, in one sentence', () => {
	test.each([
		[{ appId: '', appSecret: '' }, 'The Piopiy API credential has no App ID and no App Secret'],
		[{ appId: undefined, appSecret: 's3cret' }, 'The Piopiy API credential has no App ID'],
		[{ appId: '2222333', appSecret: '' }, 'The Piopiy API credential has no App Secret'],
		[{ appId: 'app-17', appSecret: 's3cret' }, 'The App ID of the Piopiy API credential is not valid: received "app-17"'],
	])('%j: %s', (credentials, message) => {
		const error = (() => {
			try {
				buildBalanceRequest(credentials);
			} catch (thrown) {
				return thrown;
			}
		})();
		expect(error).toBeInstanceOf(InvalidCredentialError);
		expect((error as Error).message).toBe(message);
	});
});

describe('balanceOutput', () => {
	test('numbers stay numbers; expire also as an ISO date', () => {
		expect(balanceOutput({ code: 200, balance: 12.5, sms: 3, expire: 0 })).toEqual({
			code: 200,
			balance: 12.5,
			sms: 3,
			expire: 0,
			expireAt: '1970-01-01T00:00:00.000Z',
		});
	});

	test('a balance and an expiry sent as text are read as numbers', () => {
		expect(balanceOutput({ balance: ' 17507.49 ', expire: '1798761600000' })).toEqual({
			balance: 17507.49,
			expire: '1798761600000',
			expireAt: '2027-01-01T00:00:00.000Z',
		});
	});

	test('values that are not numbers are kept as they came, without an expireAt', () => {
		expect(balanceOutput({ balance: 'n/a', expire: 'never' })).toEqual({ balance: 'n/a', expire: 'never' });
		expect(balanceOutput({ balance: 5 })).toEqual({ balance: 5 });
		expect(balanceOutput({ expire: 1e20 })).toEqual({ expire: 1e20 });
	});
});
