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
