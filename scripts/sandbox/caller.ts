import type { Readable } from 'node:stream';

import { ScriptedCaller, type Question } from '../../test/support/caller';
import type { Behaviour } from '../../test/support/piopiyServer';

/**
 * The person on the phone, in the `npm start` sandbox. When a workflow asks a question (a Play and
 * Get Input whose result goes to a URL, e.g. Ask and Wait for Input or Call and Ask), the sandbox
 * "hears" it and, unless you answer first, answers the default keys to that URL after a while, as
 * Piopiy posts the caller's input. Typing keys and Enter in the terminal answers the oldest open
 * question yourself; typing words speaks them (posted as `speech`, for Call and Ask's Free Text).
 *
 *   PIOPIY_SANDBOX_ANSWER=2               the default answer: keys, or words to say (default 1; "none" stays silent)
 *   PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120   how long the caller waits for you before answering it (default 30)
 *
 * A newcomer switches from the browser to the terminal to answer: the question is printed after the
 * request line that asked it, and printed again (shorter) after every later sandbox line while it is
 * open, so the last lines of the terminal always say what is waiting and for how long.
 */

export const DEFAULT_ANSWER_DELAY_SEC = 30;

export interface SandboxCallerOptions {
	defaultAnswer?: string;
	delayMs?: number;
	/** Where typed keys or words come from (the terminal); none: only the default answer. */
	input?: Readable;
	log: (line: string) => void;
}

export interface SandboxCaller {
	behaviour: Behaviour;
	/**
	 * Prints what the caller has to say after a request line: each question heard since, in full, or
	 * else a one-line reminder of the oldest one still open. The server calls it after each line.
	 */
	announce(): void;
	stop(): void;
}

const KEYS = /^[0-9*#]+$/;
export const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
const PREFIX = '[piopiy-sandbox]';

export function sandboxCallerOptionsFromEnv(): Pick<SandboxCallerOptions, 'defaultAnswer' | 'delayMs'> {
	const delay = Number(process.env.PIOPIY_SANDBOX_ANSWER_DELAY_SEC ?? String(DEFAULT_ANSWER_DELAY_SEC));
	return {
		defaultAnswer: process.env.PIOPIY_SANDBOX_ANSWER?.trim() || '1',
		delayMs: Number.isFinite(delay) && delay >= 0 ? delay * 1000 : DEFAULT_ANSWER_DELAY_SEC * 1000,
	};
}

const isSilent = (defaultAnswer: string) => defaultAnswer === '' || defaultAnswer.toLowerCase() === 'none';
const describe = (answer: string) => (KEYS.test(answer) ? `presses ${answer}` : `says "${answer}"`);

/** What happens when nobody types an answer: "without your answer the caller presses 1 in 30 s". */
export function unansweredText(defaultAnswer: string, seconds: number): string {
	return isSilent(defaultAnswer) ? 'no default answer: the call waits for you' : `without your answer the caller ${describe(defaultAnswer)} in ${seconds} s`;
}

/** What the caller hears: the text to speech, or the audio file's name. */
export function heardPrompt(action: Question['action']): string {
	const prompt = (action.prompt ?? {}) as { type?: string; say?: unknown; file_name?: unknown };
	const shorten = (text: string) => (text.length > 160 ? `${text.slice(0, 159)}…` : text);
	if (prompt.type === 'say' && typeof prompt.say === 'string') return `"${shorten(prompt.say)}"`;
	if (prompt.type === 'file' && typeof prompt.file_name === 'string') return `the recording ${shorten(prompt.file_name)}`;
	return 'a question';
}

export function startSandboxCaller({ defaultAnswer = '1', delayMs = DEFAULT_ANSWER_DELAY_SEC * 1000, input, log }: SandboxCallerOptions): SandboxCaller {
	const caller = new ScriptedCaller(() => undefined);
	const open: Array<{ question: Question; deadline: number; announced: boolean; timer?: NodeJS.Timeout }> = [];
	const silent = isSilent(defaultAnswer);
	const secondsLeft = (entry: (typeof open)[number]) => Math.max(0, Math.ceil((entry.deadline - Date.now()) / 1000));
	const fallback = (entry: (typeof open)[number]) => unansweredText(defaultAnswer, secondsLeft(entry));

	/** Keys are posted as `digits`; anything else is what the caller says, posted as `speech`. */
	const answer = async (entry: (typeof open)[number], typed: string, by: 'you' | 'default') => {
		const index = open.indexOf(entry);
		if (index === -1) return;
		open.splice(index, 1);
		clearTimeout(entry.timer);
		const keys = KEYS.test(typed);
		const post = await caller.post(entry.question.url, { call_id: entry.question.callId, ...(keys ? { digits: typed } : { speech: typed }) });
		const what = keys ? `pressed ${typed}` : `said "${typed}"`;
		const who = by === 'you' ? 'you answered: the caller' : 'nobody typed an answer in time: the caller';
		log(`${PREFIX} ${who} on call ${entry.question.callId} ${what} → n8n answered ${post.status || post.responseText}`);
		announce();
	};

	const announce = () => {
		const fresh = open.filter((entry) => !entry.announced);
		for (const entry of fresh) {
			entry.announced = true;
			log(`${PREFIX} >>> The caller on call ${entry.question.callId} hears ${heardPrompt(entry.question.action)}`);
			log(`${PREFIX} >>> Answer as the caller: type keys (e.g. 2) or words here, then Enter. ${capitalize(fallback(entry))}.`);
			log(`${PREFIX}     More time to answer: PIOPIY_SANDBOX_ANSWER_DELAY_SEC=120 npm start`);
		}
		if (fresh.length === 0 && open.length > 0) {
			const [oldest] = open;
			const more = open.length > 1 ? ` (${open.length - 1} more after it)` : '';
			log(`${PREFIX} >>> still waiting for the caller on call ${oldest.question.callId}${more}: type keys or words + Enter (${fallback(oldest)})`);
		}
	};

	const behaviour: Behaviour = (request, server) => {
		const before = caller.questions.length;
		const reply = caller.behaviour(request, server);
		for (const question of caller.questions.slice(before)) {
			const entry: (typeof open)[number] = { question, deadline: Date.now() + delayMs, announced: false };
			open.push(entry);
			if (!silent) entry.timer = setTimeout(() => void answer(entry, defaultAnswer, 'default'), delayMs);
		}
		return reply;
	};

	const onInput = (chunk: Buffer | string) => {
		const typed = chunk.toString().trim();
		if (typed === '') return;
		if (open.length === 0) {
			log(`${PREFIX} no question is waiting for an answer`);
			return;
		}
		void answer(open[0], typed, 'you');
	};
	input?.on('data', onInput);

	return {
		behaviour,
		announce,
		stop() {
			input?.off('data', onInput);
			for (const entry of open) clearTimeout(entry.timer);
			open.length = 0;
		},
	};
}

