/** Types of the plain-JS helpers in this folder (provision.mjs, run-n8n.mjs), shared by their typed wrappers. */

export type Log = (line: string) => void;

export interface RunningN8n {
	url: string;
	port: number;
	pid: number;
	stop(): Promise<void>;
	logs(): string;
	exited: Promise<number | null>;
}

export interface CliResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

export interface RestResult<T = unknown> {
	status: number;
	body: T;
	cookie: string | null;
}

export interface StartN8nOptions {
	userFolder: string;
	port?: number;
	customExtensions?: string;
	log?: Log;
	env?: Record<string, string>;
	timeoutMs?: number;
	/** `start` (default): main instance with the editor; `worker`: a queue-mode worker. */
	command?: 'start' | 'worker';
}

export interface N8nCliOptions {
	userFolder: string;
	customExtensions?: string;
	env?: Record<string, string>;
	timeoutMs?: number;
}
