/**
 * How the node reads a post to a question's result URL, for the live check's verdicts. This file is
 * the live check's one way in to the node's reading of a post (the waiting webhook's own functions),
 * so a verdict cannot differ from what the node would do with the same post: when the node's
 * reading changes, change the import below and nothing else.
 */
import { isAboutAnotherCall, readCallerAnswer } from '../../nodes/Piopiy/mapping/answer';

export interface NodeReading {
	/** The keys pressed as the node reads them, or null. */
	keys: string | null;
	/** The words said as the node reads them, or null. */
	speech: string | null;
	/** The call the post names, as the node reads it. */
	callId: string | null;
	/** The node reads "nothing entered" (the post says so, or holds nothing). */
	nothingEntered: boolean;
	/** The post names another call than the one placed: the waiting webhook would refuse it (409). */
	aboutAnotherCall: boolean;
}

export function nodeReadsPost(body: unknown, callPlaced: string | undefined): NodeReading {
	const answer = readCallerAnswer(body);
	return {
		keys: answer.digits,
		speech: answer.speech,
		callId: answer.callId,
		nothingEntered: answer.nothingEntered,
		aboutAnotherCall: isAboutAnotherCall(answer, callPlaced),
	};
}
