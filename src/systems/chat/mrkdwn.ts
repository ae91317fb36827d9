/**
 * Slack message text as people read it. Slack sends mentions and links as control sequences
 * (https://api.slack.com/reference/surfaces/formatting#retrieving-messages): `<@U123>` a
 * member, `<#C123|general>` a channel, `<!here>` a broadcast, `<!subteam^S1|@team>` a user
 * group, `<!date^…|fallback>` a date, `<https://x|label>` a link; and escapes `&`, `<`, `>` as
 * `&amp;`, `&lt;`, `&gt;`. Rendering replaces each sequence with what Slack's own client shows
 * (`@Ada Lovelace`, `#general`, `@here`, the label or the URL) and then unescapes.
 */

/** Looks up names in the workspace's directories; null when the id is unknown there. */
export interface MrkdwnNames {
  user(id: string): Promise<string | null>;
  channel(id: string): Promise<string | null>;
}

/** `<…>` with no `<` or `>` inside: Slack escapes those in text, so a sequence never contains them. */
const SEQUENCE = /<([^<>]*)>/g;

const unescape = (text: string) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The sequence's target and its label (both as written, unescaped); names from the directories need no unescaping. */
function splitLabel(body: string): [string, string | undefined] {
  const bar = body.indexOf('|');
  return bar < 0 ? [unescape(body), undefined] : [unescape(body.slice(0, bar)), unescape(body.slice(bar + 1))];
}

/** One control sequence as Slack's client shows it (final text: not unescaped again). */
async function renderSequence(body: string, names: MrkdwnNames): Promise<string> {
  const [target, label] = splitLabel(body);
  if (target.startsWith('@')) {
    const id = target.slice(1);
    return `@${(await names.user(id)) ?? label ?? id}`;
  }
  if (target.startsWith('#')) {
    const id = target.slice(1);
    // A label is how the channel was named when the message was written; the directory has its name now.
    return `#${(await names.channel(id)) ?? label ?? id}`;
  }
  if (target.startsWith('!')) {
    const command = target.slice(1);
    if (label !== undefined) return label;
    const [word] = command.split('^');
    return `@${word}`;
  }
  return label ?? target;
}

/** The text with every control sequence rendered and Slack's escapes undone; names are looked up concurrently. */
export async function renderMrkdwn(text: string, names: MrkdwnNames): Promise<string> {
  const sequences = [...text.matchAll(SEQUENCE)];
  if (sequences.length === 0) return unescape(text);
  const rendered = await Promise.all(sequences.map((match) => renderSequence(match[1], names)));
  let out = '';
  let at = 0;
  sequences.forEach((match, i) => {
    out += unescape(text.slice(at, match.index)) + rendered[i];
    at = match.index + match[0].length;
  });
  return out + unescape(text.slice(at));
}
