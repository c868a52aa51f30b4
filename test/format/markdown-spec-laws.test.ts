import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { specExamples } from '../../bench/format-commonmark.js';
import { law1, law2, toStorage } from './helpers.js';
import { tryParseStorage } from '../../src/format/xml/parse.js';

// The 652 CommonMark examples are a corpus of odd Markdown: whatever storage they turn into must obey the laws too.
describe('markdown format: laws over the storage made from every CommonMark example', () => {
  const examples = specExamples();

  it('Markdown → storage is always well-formed storage', () => {
    const bad = examples.filter((ex) => !tryParseStorage(toStorage(ex.markdown).text).ok).map((ex) => ex.number);
    assert.deepEqual(bad, []);
  });

  it('law 1 and law 2 hold for each example', () => {
    const failures: string[] = [];
    for (const ex of examples) {
      const s = toStorage(ex.markdown).text;
      const r1 = law1(s);
      if (r1.actual !== r1.expected) failures.push(`#${ex.number} law 1`);
      else if (law2(r1.markdown).actual !== r1.markdown) failures.push(`#${ex.number} law 2`);
    }
    assert.deepEqual(failures, []);
  });
});
