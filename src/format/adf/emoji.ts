/**
 * ADF emoji → text. An emoji node carries `shortName` (`:smile:`), usually `text` (the character itself) and an `id`
 * that is the code points in hex for standard emoji (`1f642`, `1f44d-1f3fb`) and a name for Atlassian's own
 * (`atlassian-check_mark`). The character is used when it can be known, otherwise the short name as typed.
 */
import { escapeText } from '../md-text.js';
import { str } from './node.js';

/** Atlassian's own emoji and common short names, for nodes that come without `text` or a code-point id. */
const KNOWN: Record<string, string> = {
  ':check_mark:': '✔️',
  ':cross_mark:': '❌',
  ':warning:': '⚠️',
  ':info:': 'ℹ️',
  ':question:': '❓',
  ':light_bulb:': '💡',
  ':thumbsup:': '👍',
  ':thumbsdown:': '👎',
  ':smile:': '😄',
  ':slight_smile:': '🙂',
  ':grinning:': '😀',
  ':wink:': '😉',
  ':heart:': '❤️',
  ':star:': '⭐',
  ':white_check_mark:': '✅',
  ':x:': '❌',
  ':tada:': '🎉',
  ':rocket:': '🚀',
  ':fire:': '🔥',
  ':eyes:': '👀',
  ':pray:': '🙏',
  ':plus:': '➕',
  ':minus:': '➖',
  ':flag_on:': '🚩',
  ':flag_off:': '🏳️',
};

export function emojiText(attrs: Record<string, unknown>): string {
  const text = str(attrs, 'text');
  const shortName = str(attrs, 'shortName');
  // `text` is the character for standard emoji; for Atlassian's own it repeats the short name.
  if (text && !/^:[^\s:]+:$/.test(text)) return escapeText(text);
  const fromId = codePoints(str(attrs, 'id'));
  if (fromId) return fromId;
  const name = shortName || text;
  const known = KNOWN[name.replace(/^:?/, ':').replace(/:?$/, ':').toLowerCase()];
  if (known) return known;
  if (!name) return '';
  return escapeText(name.startsWith(':') ? name : `:${name}:`);
}

/** `1f44d-1f3fb` → 👍🏻; anything else (names, out-of-range or control code points) → ''. */
function codePoints(id: string): string {
  if (!/^[0-9a-f]{2,6}(-[0-9a-f]{2,6})*$/i.test(id)) return '';
  const cps = id.split('-').map((h) => parseInt(h, 16));
  if (cps.some((c) => c < 0xa9 || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))) {
    // Keycaps (`0023-fe0f-20e3`) start with a plain character; allow those and variation selectors after it.
    if (!(cps.length > 1 && cps[0]! >= 0x23 && cps[0]! <= 0x39 && cps.slice(1).every((c) => c >= 0xa9 && c <= 0x10ffff))) return '';
  }
  return String.fromCodePoint(...cps);
}
