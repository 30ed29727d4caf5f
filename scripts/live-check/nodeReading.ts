/**
 * How the node reads a post to a question's result URL, for the live check's verdicts. This file is
 * the live check's one way in to the node's reading of a post (the waiting webhook's own judging,
 * interactive/post.ts), so a verdict cannot differ from what the node would do with the same post:
 * when the node's reading changes, change the imports below and nothing else.
 */
import { judgeAnswerPost, readPostFacts, type Decision } from '../../nodes/Piopiy/interactive/post';
import { ASK_AND_WAIT_OPERATION, FINISH_KEY, questionFrom } from '../../nodes/Piopiy/interactive/question';

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
	/** What the node makes of the post (`answered`, `noAnswer`, `callEnded`, …), or null when it refuses it. */
	decision: Decision | null;
	/** The node's rule that decided, in its own words. */
	rule: string;
}

/**
 * The live check's call asks for keys or words on a call the reply names, as Ask and Wait does: the
 * question the node would judge such a post against (nothing approves; the finish key is Piopiy's `#`).
 */
function liveCheckQuestion(callPlaced: string | undefined) {
	return questionFrom(
		{ operation: ASK_AND_WAIT_OPERATION, answerType: undefined, approveKey: undefined, declineKey: undefined, finishOnKey: FINISH_KEY, callId: callPlaced },
		{ askId: 'live-check', executionId: 'live-check', nodeId: 'live-check', runIndex: 0, agentReview: false, waitLimitMs: 0 },
	);
}

export function nodeReadsPost(body: unknown, callPlaced: string | undefined): NodeReading {
	const judgement = judgeAnswerPost(body, liveCheckQuestion(callPlaced), callPlaced ?? null);
	const isObject = typeof body === 'object' && body !== null && !Array.isArray(body);
	// A refused post carries no facts; the same fact rows read it for the table's cells.
	const facts = judgement.resumes ? judgement.facts : isObject ? readPostFacts(body as Record<string, unknown>, FINISH_KEY, callPlaced ?? null) : undefined;
	return {
		keys: facts?.digits ?? null,
		speech: facts?.speech ?? null,
		callId: facts?.callId ?? null,
		nothingEntered: judgement.resumes && judgement.decision === 'noAnswer',
		aboutAnotherCall: !judgement.resumes && judgement.status === 409,
		decision: judgement.resumes ? judgement.decision : null,
		rule: judgement.rule,
	};
}
