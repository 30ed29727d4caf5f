/**
 * What n8n's node picker says about the one "Piopiy" entry. The picker shows a node and its trigger as
 * one entry when their type names differ only by "Trigger" (piopiy, piopiyTrigger) and both have
 * actions, and it gives that entry the trigger's description, not the node's (the editor's
 * generateMergedNodesAndActions, n8n 1.x and 2.x; n8n's own Slack, GitHub and Telegram entries show
 * their trigger's text too). So the trigger's description speaks for the entry: the calls it places
 * and the events it starts workflows on. Inside the entry, each action and trigger event has its own.
 */
export const PICKER_ENTRY_DESCRIPTION =
	'Place AI agent calls, ask callers and control live calls with Piopiy by TeleCMI, or start a workflow when Piopiy posts a call event, a call record or caller input';
