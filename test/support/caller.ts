import type { IDataObject } from 'n8n-workflow';

import type { Behaviour, PiopiyTestServer, RecordedRequest } from './piopiyServer';

/**
 * The person on the phone, for the Piopiy stand-in. When the stand-in accepts a pipeline (a PCMO
 * call or a transfer) with a Play and Get Input whose result goes to a URL, the caller "hears" the
 * prompt and, after `delayMs`, Piopiy posts the answer to that URL, the way Piopiy posts collected
 * input. A script that returns undefined stays silent (the caller hung up): nothing is posted.
 * Plugged in as the stand-in's Behaviour: `server.behaviour = caller.behaviour`.
 */

export interface Question {
	/** /voice/pcmo/call or /voice/pcmo/transfer. */
	path: string;
	/** The call asked: from the transfer's body, or the ID the stand-in replied with for a new call. */
	callId: string;
	/** The `on_result` URL the answer goes to. */
	url: string;
	/** The Play and Get Input action as the node sent it. */
	action: IDataObject;
}

export interface CallerPost {
	url: string;
	body: IDataObject;
	/** n8n's answer to the post (0 when it could not be reached). */
	status: number;
	responseText: string;
}

export type CallerScript = (question: Question) => IDataObject | undefined;

/** Presses 1, as Piopiy would post it: the keys, and the call they were pressed on. */
export const pressOne: CallerScript = (question) => ({ call_id: question.callId, digits: '1' });

/** Says `words`, as Piopiy would post a speech result (Call and Ask's Free Text). */
export const says =
	(words: string): CallerScript =>
	(question) => ({ call_id: question.callId, speech: words });

export class ScriptedCaller {
	readonly questions: Question[] = [];
	readonly posts: CallerPost[] = [];
	private readonly pending = new Set<Promise<void>>();

	constructor(
		public script: CallerScript = pressOne,
		public delayMs = 300,
	) {}

	readonly behaviour: Behaviour = (request: RecordedRequest, server: PiopiyTestServer) => {
		const reply = server.standardReply(request);
		if (!('status' in reply) || reply.status !== 200) return reply;
		const body = request.body as { call_id?: string; pipeline?: IDataObject[] };
		const replyCallId = (reply.body as { call_id?: string } | undefined)?.call_id;
		const callId = body.call_id ?? replyCallId ?? '';
		for (const action of body.pipeline ?? []) {
			const onResult = action.on_result as { type?: string; url?: string } | undefined;
			if (action.action !== 'play_get_input' || onResult?.type !== 'url' || !onResult.url) continue;
			const question: Question = { path: request.path, callId, url: onResult.url, action };
			this.questions.push(question);
			const answer = this.script(question);
			if (answer) this.track(this.postLater(question.url, answer));
		}
		return reply;
	};

	/** Posts `body` to `url` now, as Piopiy would (also for forged posts in tests). */
	async post(url: string, body: IDataObject): Promise<CallerPost> {
		const post: CallerPost = { url, body, status: 0, responseText: '' };
		try {
			const response = await fetch(url, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});
			post.status = response.status;
			post.responseText = await response.text();
		} catch (error) {
			post.responseText = (error as Error).message;
		}
		this.posts.push(post);
		return post;
	}

	/** Resolves when every answer scheduled so far has been posted. */
	async settled(): Promise<void> {
		await Promise.all([...this.pending]);
	}

	reset(script: CallerScript = pressOne): void {
		this.script = script;
		this.questions.length = 0;
		this.posts.length = 0;
	}

	private async postLater(url: string, body: IDataObject): Promise<void> {
		await new Promise((resolve) => setTimeout(resolve, this.delayMs));
		await this.post(url, body);
	}

	private track(promise: Promise<void>): void {
		this.pending.add(promise);
		void promise.finally(() => this.pending.delete(promise));
	}
}
