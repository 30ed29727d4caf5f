import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { n8n, provision } from './runtime';

/**
 * A private Redis (Debian's `redis-server`) on a free loopback port, for n8n's queue mode: no
 * persistence, its own temp folder, stopped by `stop()` (and killed with the test process).
 */
export interface RunningRedis {
	port: number;
	stop(): Promise<void>;
}

export function redisServerPath(): string | undefined {
	const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
	return found || undefined;
}

export async function startRedis(): Promise<RunningRedis> {
	const binary = redisServerPath();
	if (!binary) throw new Error('redis-server is not installed: apt-get install -y redis-server (.ci/run does it)');
	const port = await n8n.freePort();
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'piopiy-e2e-redis-'));
	const child = spawn(
		binary,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'],
		{ stdio: ['ignore', 'pipe', 'pipe'] },
	);
	let output = '';
	child.stdout.on('data', (chunk) => (output += chunk));
	child.stderr.on('data', (chunk) => (output += chunk));
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

	const deadline = Date.now() + 15_000;
	while (!/Ready to accept connections/.test(output)) {
		if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}):\n${output}`);
		if (Date.now() > deadline) {
			child.kill('SIGKILL');
			throw new Error(`redis-server not ready after 15 s:\n${output}`);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
	return {
		port,
		async stop() {
			process.removeListener('exit', killOnExit);
			child.kill('SIGTERM');
			await exited;
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * The environment of every n8n process of a queue-mode stack on `redis`. The database is SQLite here,
 * which n8n warns is "not officially supported" for queue mode; a pool of one connection per process
 * keeps its writers from tripping over each other. Bull's lock and stalled-job settings are n8n's
 * defaults, but on 1.x the one the README asks for: never run a stalled job again.
 */
export function queueModeEnv(redis: RunningRedis): Record<string, string> {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_SQLITE_POOL_SIZE: '1',
		...(provision.N8N_LINE === 1 ? { QUEUE_WORKER_MAX_STALLED_COUNT: '0' } : {}),
	};
}
