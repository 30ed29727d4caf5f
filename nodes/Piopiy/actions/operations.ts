import { accountGetBalance } from './account/getBalance.operation';
import { aiAgentCall } from './aiAgent/call.operation';
import { callFlowCall } from './call/flowCall.operation';
import { callHangup } from './call/hangup.operation';
import { callPcmoCall } from './call/pcmoCall.operation';
import { callTransfer } from './call/transfer.operation';
import { callVoiceCall } from './call/voiceCall.operation';
import type { PiopiyOperation } from './types';

/** Every operation by resource and operation value, as the router dispatches them. */
export const operations: Record<string, Record<string, PiopiyOperation>> = {
	aiAgent: { call: aiAgentCall },
	call: {
		voiceCall: callVoiceCall,
		pcmoCall: callPcmoCall,
		flowCall: callFlowCall,
		transfer: callTransfer,
		hangup: callHangup,
	},
	account: { getBalance: accountGetBalance },
};
