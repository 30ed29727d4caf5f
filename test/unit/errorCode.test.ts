import { errorCode, notSentStage } from '../../nodes/Piopiy/helpers/errorCode';

describe('errorCode: the code along the cause chain', () => {
	test('the first code found, through n8n and axios wrappers', () => {
		const node = Object.assign(new Error('wrapped'), { cause: Object.assign(new Error('axios'), { cause: { code: 'ECONNREFUSED' } }) });
		expect(errorCode(node)).toBe('ECONNREFUSED');
		expect(errorCode({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
		expect(errorCode({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' })).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
	});

	test("OpenSSL's 'wrong version number' (the server speaks no TLS) is named, other EPROTOs are not", () => {
		const message = 'write EPROTO 80CC2954207F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number';
		expect(errorCode({ code: 'EPROTO', message })).toBe('ERR_SSL_WRONG_VERSION_NUMBER');
		expect(errorCode({ code: 'EPROTO', message: 'write EPROTO something else' })).toBe('EPROTO');
	});

	test('no code: timeouts and hang-ups by message, else UNKNOWN; a cycle ends', () => {
		expect(errorCode(new Error('timeout of 1000ms exceeded'))).toBe('ETIMEDOUT');
		expect(errorCode(new Error('socket hang up'))).toBe('ECONNRESET');
		const cycle: { cause?: unknown } = {};
		cycle.cause = cycle;
		expect(errorCode(cycle)).toBe('UNKNOWN');
		expect(errorCode({ code: 'cmi-404' })).toBe('UNKNOWN');
	});
});

describe('notSentStage: which failures prove the request never left', () => {
	test.each([
		['ERR_INVALID_URL', 'url'],
		['ENOTFOUND', 'dns'],
		['EAI_AGAIN', 'dns'],
		['ECONNREFUSED', 'connect'],
		['EHOSTUNREACH', 'connect'],
		['ENETUNREACH', 'connect'],
		['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls'],
		['SELF_SIGNED_CERT_IN_CHAIN', 'tls'],
		['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'tls'],
		['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'tls'],
		['CERT_HAS_EXPIRED', 'tls'],
		['ERR_TLS_CERT_ALTNAME_INVALID', 'tls'],
		['ERR_SSL_WRONG_VERSION_NUMBER', 'tls'],
	])('%s: never sent (%s)', (code, stage) => expect(notSentStage(code)).toBe(stage));

	test.each(['ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EPIPE', 'EPROTO', 'UND_ERR_SOCKET', 'UNKNOWN', 'toString', 'constructor'])(
		'%s: may have been sent',
		(code) => expect(notSentStage(code)).toBeUndefined(),
	);
});
