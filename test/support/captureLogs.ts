/**
 * Runs before each test file (jest `setupFiles`), before n8n's logger binds to the console, so every
 * line n8n logs during the tests is kept to be searched for secrets. The list hangs on `process`,
 * which all test files of a jest worker share, because n8n's logger outlives the file that made it.
 */
const holder = process as unknown as { __capturedLogs?: string[] };
const lines = (holder.__capturedLogs ??= []);

for (const level of ['log', 'info', 'warn', 'error', 'debug'] as const) {
	console[level] = (...args: unknown[]) => {
		lines.push(`console.${level} ${args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' ')}`);
	};
}
