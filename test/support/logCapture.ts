import { Logger as N8nLogger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy, type Logger } from 'n8n-workflow';

/**
 * Everything n8n logs while the tests run, to be searched for secrets. The list is the one
 * captureLogs.ts (a jest setup file) fills from the console; this adds n8n's own loggers: the
 * engine logs through LoggerProxy, its error reporter through the DI container's Logger.
 */
export const capturedLogs: string[] = ((process as unknown as { __capturedLogs?: string[] }).__capturedLogs ??= []);

const capture =
	(level: string) =>
	(message: string, meta?: object): void => {
		capturedLogs.push(`${level} ${message} ${meta ? JSON.stringify(meta) : ''}`);
	};
const captureLogger = {
	error: capture('error'),
	warn: capture('warn'),
	info: capture('info'),
	debug: capture('debug'),
	scoped: () => captureLogger,
} as unknown as Logger;
LoggerProxy.init(captureLogger);
Container.set(N8nLogger, captureLogger as unknown as N8nLogger);
