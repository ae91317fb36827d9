/**
 * The part of Block Kit validation `chat.postMessage` applies before posting. Slack rejects
 * unparsable JSON as `invalid_blocks_format` and structurally wrong blocks as
 * `invalid_blocks`, naming the offending node in `response_metadata.messages` with a JSON
 * pointer; the checks here are the common ones (type, required fields, size limits), not the
 * whole Block Kit schema.
 */
import type { SlackBlock } from './types.ts';

export type BlocksResult = { blocks: SlackBlock[] | undefined } | { error: 'invalid_blocks' | 'invalid_blocks_format'; messages: string[] };

const KNOWN_TYPES = new Set([
  'section',
  'divider',
  'header',
  'context',
  'actions',
  'image',
  'rich_text',
  'input',
  'file',
  'video',
  'markdown',
]);
const MAX_BLOCKS = 50;

/** `raw` is a JSON string (form posts) or an array (JSON posts); absent or `''` means no blocks. */
export function parseBlocks(raw: unknown, newBlockId: () => string): BlocksResult {
  if (raw === undefined || raw === null || raw === '') return { blocks: undefined };
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { error: 'invalid_blocks_format', messages: ['[ERROR] failed to parse blocks as JSON'] };
    }
  }
  if (!Array.isArray(value))
    return { error: 'invalid_blocks_format', messages: ['[ERROR] expected an array of blocks [json-pointer:/blocks]'] };
  if (value.length > MAX_BLOCKS)
    return { error: 'invalid_blocks', messages: [`[ERROR] no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`] };
  const messages: string[] = [];
  const blocks = value.map((item: unknown, i): SlackBlock => {
    const problem = checkBlock(item);
    if (problem) messages.push(`[ERROR] ${problem[0]} [json-pointer:/blocks/${i}${problem[1]}]`);
    const block = item as SlackBlock;
    // Slack gives every block an id when the sender did not.
    return typeof block.block_id === 'string' ? block : { ...block, block_id: newBlockId() };
  });
  return messages.length > 0 ? { error: 'invalid_blocks', messages } : { blocks };
}

function isTextObject(v: unknown, plainOnly = false): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { type?: unknown; text?: unknown };
  return (t.type === 'plain_text' || (!plainOnly && t.type === 'mrkdwn')) && typeof t.text === 'string' && t.text.length > 0;
}

/** [message, pointer suffix] of the first problem, or null. */
function checkBlock(item: unknown): [string, string] | null {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return ['expected an object', ''];
  const block = item as Record<string, unknown>;
  if (typeof block.type !== 'string') return ['missing required field: type', ''];
  if (!KNOWN_TYPES.has(block.type)) return [`unsupported type: ${block.type}`, '/type'];
  if (block.block_id !== undefined && (typeof block.block_id !== 'string' || block.block_id.length > 255))
    return ['must be a string of at most 255 characters', '/block_id'];
  switch (block.type) {
    case 'section':
      if (block.text === undefined && !Array.isArray(block.fields)) return ['must provide either text or fields', ''];
      if (block.text !== undefined && !isTextObject(block.text)) return ['must be a valid text object', '/text'];
      if (isTextObject(block.text) && (block.text as { text: string }).text.length > 3000)
        return ['must be less than 3001 characters', '/text/text'];
      return null;
    case 'header':
      if (!isTextObject(block.text, true)) return ['must be a plain_text text object', '/text'];
      if ((block.text as { text: string }).text.length > 150) return ['must be less than 151 characters', '/text/text'];
      return null;
    case 'context':
    case 'actions':
    case 'rich_text':
      return Array.isArray(block.elements) && block.elements.length > 0 ? null : ['missing required field: elements', ''];
    case 'image':
      if (typeof block.image_url !== 'string' && typeof block.slack_file !== 'object') return ['missing required field: image_url', ''];
      return typeof block.alt_text === 'string' ? null : ['missing required field: alt_text', ''];
    default:
      return null;
  }
}
