/**
 * Which chat cache entries a change makes stale. The user directory itself follows the
 * change feed (directory.ts); here: records read outside it, email links, history pages.
 */
import type { ResourceCache } from '../../cache/types.ts';
import { asRecord, drop, peek, strings } from '../../changes/helpers.ts';
import type { ChangeEvent } from '../../changes/types.ts';
import { normalizeEmail } from '../../links/email.ts';
import { CHAT_RESOURCES as S, DIRECTORY_ID, historyGenerationId } from './resources.ts';

export async function invalidateChat(chat: ResourceCache, event: ChangeEvent): Promise<void> {
  switch (event.entity) {
    case 'user': {
      const [cached] = await peek<unknown>(chat, S.user, [event.id]);
      const emailOf = (record: unknown) => asRecord(asRecord(record)?.profile)?.email;
      const emails = [emailOf(cached), emailOf(event.record), ...strings(event.related?.email)]
        .filter((email): email is string => typeof email === 'string' && email !== '')
        .map(normalizeEmail);
      // The record read outside the directory (users.info / lookupByEmail) and the email links.
      await drop(chat, S.user, [event.id]);
      await drop(chat, S.userByEmail, emails);
      return;
    }
    case 'channel': {
      await drop(chat, S.channel, [event.id]);
      if (event.action === 'created' || event.action === 'deleted') await drop(chat, S.channel, [DIRECTORY_ID]);
      return;
    }
    case 'message': {
      const channel = strings(event.related?.channel)[0] ?? event.id.split(':')[0];
      const threadTs = strings(event.related?.threadTs);
      await drop(chat, S.message, [event.id, ...threadTs.map((ts) => `${channel}:${ts}`)]);
      // Every cached history page of the channel, whatever its cursor or window.
      await drop(chat, S.message, [historyGenerationId(channel)]);
      return;
    }
    default:
      await drop(chat, event.entity, [event.id]);
  }
}
