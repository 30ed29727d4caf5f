import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

import { parseBody } from '../../nodes/Piopiy/transport/request';

/**
 * The local listener of `--call`: the public URL the user gives (a tunnel) leads here, and Piopiy posts
 * the caller's answer to it. It records every request whatever its path (a user may also point the
 * dashboard's call events at it) and answers 200.
 */
export interface ReceivedPost {
	method: string;
	/** Path and query as received. */
	url: string;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	body: unknown;
	receivedAt: string;
}

export interface Listener {
	url: string;
	received: ReceivedPost[];
	/** The first request that `matches`, or undefined once `timeoutMs` passed. */
	waitFor(matches: (post: ReceivedPost) => boolean, timeoutMs: number): Promise<ReceivedPost | undefined>;
	stop(): Promise<void>;
}

export async function startListener(port: number): Promise<Listener> {
	const received: ReceivedPost[] = [];
	const waiters = new Set<() => void>();
	const sockets = new Set<Socket>();
	const server: Server = createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			received.push({
				method: request.method ?? '',
				url: request.url ?? '',
				headers: request.headers,
				text,
				// A form post stays text: it is printed and saved as it came.
				body: parseBody(text),
				receivedAt: new Date().toISOString(),
			});
			for (const wake of waiters) wake();
			response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"received":true}');
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', resolve);
	});
	return {
		url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
		received,
		waitFor(matches, timeoutMs) {
			return new Promise((resolve) => {
				const check = () => {
					const found = received.find(matches);
					if (!found) return;
					finish(found);
				};
				const timer = setTimeout(() => finish(undefined), timeoutMs);
				const finish = (post: ReceivedPost | undefined) => {
					clearTimeout(timer);
					waiters.delete(check);
					resolve(post);
				};
				waiters.add(check);
				check();
			});
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
