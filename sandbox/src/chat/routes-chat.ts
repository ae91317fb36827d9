/**
 * `chat.postMessage` and `auth.test`. Posting goes through `ChatStore.postMessage`, the
 * same path as admin "typed in the Slack app" messages, so it emits the `message` event.
 */
import type { Router } from '../http.ts';
import { parseBlocks } from './blocks.ts';
import { type ChatDeps, registerMethod } from './method.ts';
import { fail, ok } from './wire.ts';

/** Slack refuses longer `text` (it advises ≤ 4,000 for readability). */
const MAX_TEXT = 40_000;
/** What Slack stores as `text` for a blocks-only message. */
const BLOCKS_FALLBACK_TEXT = "This content can't be displayed.";

export function registerChatRoutes(router: Router, deps: ChatDeps): void {
  registerMethod(router, deps, 'chat.postMessage', ({ args, store }) => {
    const parsed = parseBlocks(args.raw('blocks'), () => store.blockId());
    if ('error' in parsed) return fail(parsed.error, args, { response_metadata: { messages: parsed.messages } });
    const ref = args.string('channel');
    const channel = ref ? store.resolveChannel(ref) : undefined;
    // A private channel the bot is not in does not exist as far as the token can tell.
    if (!channel || (channel.conversation.is_private && !store.botIsMember(channel))) return fail('channel_not_found', args);
    const text = args.string('text') ?? '';
    const blocks = parsed.blocks && parsed.blocks.length > 0 ? parsed.blocks : undefined;
    if (text.trim() === '' && !blocks) return fail('no_text', args);
    if (text.length > MAX_TEXT) return fail('msg_too_long', args);
    const threadTs = args.string('thread_ts');
    const result = store.postMessage({
      channel,
      text: text === '' ? BLOCKS_FALLBACK_TEXT : text,
      blocks,
      threadTs: threadTs === undefined || threadTs === '' ? undefined : threadTs,
      replyBroadcast: args.bool('reply_broadcast'),
    });
    if ('error' in result) return fail(result.error, args);
    return ok({ channel: channel.conversation.id, ts: result.message.ts, message: result.message }, args);
  });

  registerMethod(router, deps, 'auth.test', ({ args, store }) => {
    const ws = store.workspace;
    return ok(
      {
        url: ws.url,
        team: ws.teamName,
        user: ws.botName,
        team_id: ws.teamId,
        user_id: ws.botUserId,
        bot_id: ws.botId,
        is_enterprise_install: false,
      },
      args,
    );
  });
}
