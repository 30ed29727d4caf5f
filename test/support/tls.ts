import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Certificates made with `openssl` for one test run (EC keys: fast), and an HTTPS server on 127.0.0.1
 * that presents one of them and counts the HTTP requests that reach it (none when TLS fails).
 */
export interface TestCertificates {
	/** The authority that signed the leaf certificates; trusted by nobody unless a test says so. */
	caPem: string;
	selfSigned: KeyAndCert;
	/** Signed by the CA, for localhost and 127.0.0.1. */
	leaf: KeyAndCert;
	/** Signed by the CA, for other.example only. */
	otherName: KeyAndCert;
	/** Signed by the CA, for localhost and 127.0.0.1, valid only on 1-2 January 2020. */
	expired: KeyAndCert;
}

export interface KeyAndCert {
	key: string;
	cert: string;
}

function openssl(dir: string, args: string[]): void {
	execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeCertificates(): TestCertificates {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'piopiy-tls-'));
	try {
		const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
		openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', 'self.key', '-out', 'self.pem', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1']);
		openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Piopiy Test CA']);
		const sign = (name: string, altNames: string, dates: string[] | undefined) => {
			openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
			fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${altNames}\n`);
			if (!dates) {
				openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
				return;
			}
			// `openssl ca` is the tool that can set past dates (OpenSSL 3.0's x509 cannot).
			fs.writeFileSync(path.join(dir, 'index.txt'), '');
			fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
			fs.writeFileSync(
				path.join(dir, 'ca.cnf'),
				['[ca]', 'default_ca = test', '[test]', 'database = index.txt', 'new_certs_dir = .', 'serial = serial', 'default_md = sha256', 'policy = any', '[any]', 'commonName = supplied', ''].join('\n'),
			);
			openssl(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.pem', '-keyfile', 'ca.key', '-in', `${name}.csr`, '-extfile', `${name}.ext`, '-startdate', dates[0], '-enddate', dates[1], '-notext', '-out', `${name}.pem`]);
		};
		sign('leaf', 'DNS:localhost,IP:127.0.0.1', undefined);
		sign('other', 'DNS:other.example', undefined);
		sign('expired', 'DNS:localhost,IP:127.0.0.1', ['20200101000000Z', '20200102000000Z']);
		const pair = (name: string) => ({ key: read(`${name}.key`), cert: read(`${name}.pem`) });
		return { caPem: read('ca.pem'), selfSigned: pair('self'), leaf: pair('leaf'), otherName: pair('other'), expired: pair('expired') };
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

export class HttpsTestServer {
	/** HTTP requests that got through the TLS handshake. */
	requests = 0;
	/** Handshakes that failed (the client refused the certificate). */
	failedHandshakes = 0;
	private server: Server | undefined;

	/** `chain`: also send the CA certificate, as servers send intermediates. */
	async start({ key, cert }: KeyAndCert, { chain }: { chain?: string } = {}): Promise<this> {
		this.requests = 0;
		this.failedHandshakes = 0;
		this.server = createServer({ key, cert: chain ? cert + chain : cert }, (request, response) => {
			this.requests++;
			request.resume();
			response.writeHead(200, { 'Content-Type': 'application/json' });
			response.end(JSON.stringify({ success: true, message: 'call_queued', call_id: 'tls-test-call' }));
		});
		this.server.on('tlsClientError', () => this.failedHandshakes++);
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		return this;
	}

	get port(): number {
		return (this.server!.address() as AddressInfo).port;
	}

	async stop(): Promise<void> {
		this.server?.closeAllConnections();
		await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
	}
}
