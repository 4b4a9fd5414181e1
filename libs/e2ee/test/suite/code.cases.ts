/** Codes of code rooms: the word list's properties, generation, and forgiving parsing. */
import {
  CODE_WORDLIST,
  CODE_WORDLIST_SHA256,
  DEFAULT_CODE_WORDS,
  generateCodeWords,
  InvalidCodeError,
  makeCode,
  parseCode,
  resolveWord,
  sha256,
  toHex,
} from '../../src';
import { check, equal, isError, type TestCase } from '../harness';

function parsed(input: string): string {
  const r = parseCode(input);
  if (!r.ok) throw new Error(`${JSON.stringify(input)}: ${r.error.message}`);
  return r.code.text;
}

/** Levenshtein distance, stopping as soon as it is known to exceed `limit`. */
function distanceAtMost(a: string, b: string, limit: number): boolean {
  if (Math.abs(a.length - b.length) > limit) return false;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const d = Math.min(
        prev[j]! + 1,
        row[j - 1]! + 1,
        prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      row.push(d);
      best = Math.min(best, d);
    }
    if (best > limit) return false;
    prev = row;
  }
  return prev[b.length]! <= limit;
}

export const codeCases: TestCase[] = [
  {
    name: 'code words: the EFF short list 2.0 as published (count, hash, unique prefixes, distance 3)',
    async run() {
      equal(CODE_WORDLIST.length, 1296, 'words');
      equal(
        toHex(await sha256(new TextEncoder().encode(CODE_WORDLIST.join('\n') + '\n'))),
        CODE_WORDLIST_SHA256,
        'sha256',
      );
      check(
        CODE_WORDLIST.every((w) => /^[a-z]{3,10}$/.test(w) || w === 'yo-yo'),
        'a–z only (and yo-yo), 3–10 letters',
      );
      equal(
        new Set(CODE_WORDLIST.map((w) => w.slice(0, 3))).size,
        1296,
        'unique 3-letter prefixes',
      );
      equal(CODE_WORDLIST[0], 'aardvark', 'first');
      equal(CODE_WORDLIST[1295], 'zucchini', 'last');
      // Typo correction is unambiguous only if no two words are within two edits.
      const byLength = [...CODE_WORDLIST].sort((a, b) => a.length - b.length);
      for (let i = 0; i < byLength.length; i++) {
        for (
          let j = i + 1;
          j < byLength.length && byLength[j]!.length - byLength[i]!.length <= 2;
          j++
        ) {
          check(!distanceAtMost(byLength[i]!, byLength[j]!, 2), `${byLength[i]} ~ ${byLength[j]}`);
        }
      }
    },
  },
  {
    name: 'code words: generated uniformly from the list, the default count, round trip',
    run() {
      const words = generateCodeWords();
      equal(words.length, DEFAULT_CODE_WORDS, 'default count');
      const seen = new Set<string>();
      for (let i = 0; i < 1000; i++) for (const w of generateCodeWords(4)) seen.add(w);
      // 4000 uniform draws from 1296 words cover ≈ 1237 of them (±6); a generator that can't reach
      // part of the list (a modulo slip) covers far fewer.
      check(seen.size > 1180, `4000 draws cover nearly every word (${seen.size})`);
      check(
        [...seen].every((w) => CODE_WORDLIST.includes(w)),
        'all from the list',
      );
      const code = makeCode('7', words);
      equal(code.text, `7-${words.join('-')}`, 'text');
      equal(code.password, words.join('-'), 'password has no nameplate');
      equal(parsed(code.text), code.text, 'round trip');
      for (const bad of [1, 9]) {
        let threw = false;
        try {
          generateCodeWords(bad);
        } catch (error) {
          threw = error instanceof RangeError;
        }
        check(threw, `count ${bad} refused`);
      }
      return Promise.resolve();
    },
  },
  {
    name: 'code parsing: case, separators, full-width, prefixes, one typo per word, yo-yo',
    run() {
      const want = '7-zucchini-aardvark-ethics';
      for (const input of [
        want,
        '7 zucchini aardvark ethics',
        '  7-Zucchini-AARDVARK-ethics  ',
        '7.zucchini_aardvark, ethics',
        '7 — zucchini – aardvark ‐ ethics',
        '７－ｚｕｃｃｈｉｎｉ－aardvark－ethics',
        '07-zucchini-aardvark-ethics',
        '7zucchini aardvark ethics',
        '7-zuc-aar-eth',
        '7-zucch-aardv-ethic',
        '7-zucchinni-ardvark-ethigs',
      ])
        equal(parsed(input), want, JSON.stringify(input));
      equal(parsed('12-yo-yo-cup'), '12-yo-yo-cup', 'yo-yo');
      equal(parsed('12 yo yo cup'), '12-yo-yo-cup', 'yo yo');
      equal(parsed('12-yoyo-cup'), '12-yo-yo-cup', 'yoyo (one edit)');
      equal(resolveWord('zu'), undefined, 'two letters are not a prefix');
      equal(resolveWord('xylophonexx'), undefined, 'two edits away is not corrected');
      return Promise.resolve();
    },
  },
  {
    name: 'code parsing: refusals name what is wrong and never echo the input',
    run() {
      for (const [input, message] of [
        ['', 'empty'],
        ['zucchini-aardvark', 'start with its number'],
        ['0-zucchini-aardvark', 'out of range'],
        ['1234567-zucchini-aardvark', 'out of range'],
        ['7-zucchini', 'at least 2 words'],
        ['7-zucchini-qqqqqq', 'word 2 is not in the word list'],
        ['7-a-b-c-d-e-f-g-h-i', 'word 1'],
        ['7-cup-cup-cup-cup-cup-cup-cup-cup-cup', 'more than 8 words'],
      ] as const) {
        const r = parseCode(input);
        check(!r.ok, `${JSON.stringify(input)} refused`);
        isError(r.error, InvalidCodeError, 'invalid_code', JSON.stringify(input));
        check(r.error.message.includes(message), `${JSON.stringify(input)}: "${r.error.message}"`);
        check(input === '' || !r.error.message.includes(input), 'input not echoed');
      }
      return Promise.resolve();
    },
  },
];
