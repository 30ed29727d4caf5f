import type { Readable } from 'node:stream';

import { ScriptedCaller, type Question } from '../../test/support/caller';
import type { Behaviour } from '../../test/support/piopiyServer';

/**
 * The person on the phone, in the `npm start` sandbox. When a workflow asks a question (a Play and
 * Get Input whose result goes to a URL, e.g. Ask and Wait for Input or Call and Ask), the sandbox
 * "hears" it and, after a few seconds, answers the default keys to that URL, as Piopiy posts the
 * caller's input. Typing keys and Enter in the terminal answers the oldest open question yourself;
 * typing words speaks them (posted as `speech`, for Call and Ask's Free Text).
 *
 *   PIOPIY_SANDBOX_ANSWER=2              the default answer: keys, or words to say (default 1; "none" stays silent)
 *   PIOPIY_SANDBOX_ANSWER_DELAY_SEC=10   how long the caller takes (default 5)
 */

export interface SandboxCallerOptions {
	defaultAnswer?: string;
	delayMs?: number;
	/** Where typed keys or words come from (the terminal); none: only the default answer. */
	input?: Readable;
	log: (line: string) => void;
}

export interface SandboxCaller {
	behaviour: Behaviour;
	stop(): void;
}

const KEYS = /^[0-9*#]+$/;

export function sandboxCallerOptionsFromEnv(): Pick<SandboxCallerOptions, 'defaultAnswer' | 'delayMs'> {
	const delay = Number(process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC ?? '5');
	return {
		defaultAnswer: process.env.PIOPIY_SANDBOX_ANSWER?.trim() || '1',
		delayMs: Number.isFinite(delay) && delay >= 0 ? delay * 1000 : 5000,
	};
}

export function startSandboxCaller({ defaultAnswer = '1', delayMs = 5000, input, log }: SandboxCallerOptions): SandboxCaller {
	const caller = new ScriptedCaller(() => undefined);
	const open: Array<{ question: Question; timer?: NodeJS.Timeout }> = [];
	const silent = defaultAnswer === '' || defaultAnswer.toLowerCase() === 'none';
	const describe = (answer: string) => (KEYS.test(answer) ? `presses ${answer}` : `says "${answer}"`);

	/** Keys are posted as `digits`; anything else is what the caller says, posted as `speech`. */
	const answer = async (entry: (typeof open)[number], typed: string) => {
		const index = open.indexOf(entry);
		if (index === -1) return;
		open.splice(index, 1);
		clearTimeout(entry.timer);
		const keys = KEYS.test(typed);
		const post = await caller.post(entry.question.url, { call_id: entry.question.callId, ...(keys ? { digits: typed } : { speech: typed }) });
		log(`[piopiy-sandbox] caller on call ${entry.question.callId} ${keys ? `pressed ${typed}` : `said "${typed}"`} → n8n answered ${post.status || post.responseText}`);
	};

	const behaviour: Behaviour = (request, server) => {
		const before = caller.questions.length;
		const reply = caller.behaviour(request, server);
		for (const question of caller.questions.slice(before)) {
			const entry: (typeof open)[number] = { question };
			open.push(entry);
			const seconds = Math.round(delayMs / 1000);
			if (silent) {
				log(`[piopiy-sandbox] the caller on call ${question.callId} hears a question; type keys or words + Enter to answer (no default answer)`);
			} else {
				log(`[piopiy-sandbox] the caller on call ${question.callId} hears a question; ${describe(defaultAnswer)} in ${seconds} s (type keys or words + Enter to answer yourself)`);
				entry.timer = setTimeout(() => void answer(entry, defaultAnswer), delayMs);
			}
		}
		return reply;
	};

	const onInput = (chunk: Buffer | string) => {
		const typed = chunk.toString().trim();
		if (typed === '') return;
		if (open.length === 0) {
			log('[piopiy-sandbox] no question is waiting for an answer');
			return;
		}
		void answer(open[0], typed);
	};
	input?.on('data', onInput);

	return {
		behaviour,
		stop() {
			input?.off('data', onInput);
			for (const entry of open) clearTimeout(entry.timer);
			open.length = 0;
		},
	};
}
