/**
 * Codes of code rooms: `<nameplate>-<word>-<word>-<word>`, e.g. `7-zucchini-aardvark-ethics`.
 *
 * The nameplate is public: the relay hands it out and uses it to find the room. The words are
 * the password of the PAKE (code-pake.ts) and never leave the members' devices. They are drawn
 * uniformly from the EFF short word list 2.0 (1,296 words, log2(1296) = 10.34 bits each):
 *
 *   words   guesses to cover the space   P(a guess is right)   P(room broken by 3 guesses)
 *   2       1,679,616                    5.95e-7               1.8e-6
 *   3 (*)   2,176,782,336                4.59e-10              1.4e-9
 *   4       2.8e12                       3.54e-13              1.1e-12
 *
 * Offline guessing is impossible by construction (a recording can't test a code, docs/e2ee.md),
 * so only online guesses count, and the relay allows CODE_MAX_FAILED_ATTEMPTS (3) per nameplate
 * before it closes the room; the members' own SDK enforces the same limit against a relay that
 * would not. Three words is the default: a "few online guesses" stay below one in 700 million.
 *
 * Typing is forgiving: any case, any mix of spaces, hyphens, dots, underscores, commas or dashes
 * between the parts (NFKC-normalised first, so full-width digits and letters work), a word may be
 * cut to its first three letters or more (the list's prefixes are unique), and one typo per word
 * (a letter wrong, missing or extra) is corrected, because any two words differ in at least three
 * edits.
 */
import { isValidNameplate } from '@nullroom/protocol';
import { InvalidCodeError } from '../errors';
import { randomBytes } from '../platform';
import { CODE_WORDLIST } from './wordlist';

export const DEFAULT_CODE_WORDS = 3;
export const MIN_CODE_WORDS = 2;
export const MAX_CODE_WORDS = 8;

/** A code as the PAKE and the relay need it. */
export interface Code {
  /** Public: finds the room. */
  readonly nameplate: string;
  /** Secret: the PAKE password's words, canonical spelling. */
  readonly words: readonly string[];
  /** The PAKE password (PRS): the words joined by hyphens. */
  readonly password: string;
  /** The code as shown to people: nameplate and words joined by hyphens. */
  readonly text: string;
}

const INDEX = new Map(CODE_WORDLIST.map((w, i) => [w, i]));
const BY_PREFIX = new Map(CODE_WORDLIST.map((w) => [w.slice(0, 3), w]));
const SEPARATORS = /[\s\-_.,;:/\u00b7\u2010-\u2015\u2212]+/u;

/** Random words for a new code: uniform over the list (rejection sampling, no modulo bias). */
export function generateCodeWords(count: number = DEFAULT_CODE_WORDS): string[] {
  if (!Number.isInteger(count) || count < MIN_CODE_WORDS || count > MAX_CODE_WORDS)
    throw new RangeError(`count: ${MIN_CODE_WORDS} to ${MAX_CODE_WORDS} words`);
  const n = CODE_WORDLIST.length;
  const limit = 65536 - (65536 % n);
  const words: string[] = [];
  while (words.length < count) {
    const r = randomBytes(2);
    const value = (r[0]! << 8) | r[1]!;
    if (value < limit) words.push(CODE_WORDLIST[value % n]!);
  }
  return words;
}

/** Builds the code from a nameplate the relay gave and words from generateCodeWords(). */
export function makeCode(nameplate: string, words: readonly string[]): Code {
  if (!isValidNameplate(nameplate)) throw new RangeError('nameplate: 1 to 999999');
  if (!Array.isArray(words)) throw new TypeError('words: must be an array');
  const list: readonly unknown[] = words;
  if (list.length < MIN_CODE_WORDS || list.length > MAX_CODE_WORDS)
    throw new RangeError(`words: ${MIN_CODE_WORDS} to ${MAX_CODE_WORDS} words`);
  for (const w of list)
    if (typeof w !== 'string' || !INDEX.has(w)) throw new RangeError('words: not in the word list');
  const password = words.join('-');
  return { nameplate, words: Array.from(words), password, text: `${nameplate}-${password}` };
}

/**
 * Reads a typed code. Never throws: an InvalidCodeError names what is wrong ("word 2 is not in
 * the list") and never repeats the input.
 */
export function parseCode(
  input: string,
):
  | { readonly ok: true; readonly code: Code }
  | { readonly ok: false; readonly error: InvalidCodeError } {
  if (typeof input !== 'string') return invalid('the code must be text');
  const tokens = input.normalize('NFKC').toLowerCase().trim().split(SEPARATORS).filter(Boolean);
  if (tokens.length === 0) return invalid('the code is empty');
  // "7guitarist" (no separator after the number) reads as "7-guitarist".
  const glued = /^(\d+)([a-z].*)$/.exec(tokens[0]!);
  if (glued) tokens.splice(0, 1, glued[1]!, glued[2]!);
  const head = tokens.shift()!;
  if (!/^\d+$/.test(head)) return invalid('the code must start with its number');
  const nameplate = head.replace(/^0+(?=\d)/, '');
  if (!isValidNameplate(nameplate)) return invalid('the number at the start is out of range');
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    let word = resolveWord(tokens[i]!);
    // The list's one hyphenated word, "yo-yo", splits into two tokens.
    if (word === undefined && i + 1 < tokens.length) {
      const joined = `${tokens[i]!}-${tokens[i + 1]!}`;
      word = INDEX.has(joined) ? joined : undefined;
      if (word !== undefined) i++;
    }
    if (word === undefined) return invalid(`word ${words.length + 1} is not in the word list`);
    words.push(word);
  }
  if (words.length < MIN_CODE_WORDS)
    return invalid(`the code needs at least ${MIN_CODE_WORDS} words after the number`);
  if (words.length > MAX_CODE_WORDS)
    return invalid(`the code has more than ${MAX_CODE_WORDS} words`);
  return { ok: true, code: makeCode(nameplate, words) };
}

/**
 * One typed word → the list's word: exact, a prefix of at least three letters, or one edit away
 * from exactly one word. undefined when none of these finds a single word.
 */
export function resolveWord(token: string): string | undefined {
  if (INDEX.has(token)) return token;
  if (!/^[a-z]+$/.test(token)) return undefined;
  if (token.length >= 3) {
    const candidate = BY_PREFIX.get(token.slice(0, 3));
    if (candidate !== undefined && candidate.startsWith(token)) return candidate;
  }
  let found: string | undefined;
  for (const word of CODE_WORDLIST) {
    if (Math.abs(word.length - token.length) > 1 || !withinOneEdit(token, word)) continue;
    if (found !== undefined) return undefined;
    found = word;
  }
  return found;
}

/** Levenshtein distance ≤ 1 (one substitution, insertion or deletion), in O(length). */
function withinOneEdit(a: string, b: string): boolean {
  if (a.length > b.length) return withinOneEdit(b, a);
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1);
  return a.slice(i) === b.slice(i + 1);
}

function invalid(message: string): { readonly ok: false; readonly error: InvalidCodeError } {
  return { ok: false, error: new InvalidCodeError(message) };
}
