import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commonmarkReport, specExamples } from '../../bench/format-commonmark.js';

describe('markdown format: CommonMark spec examples survive Markdown → storage → Markdown', () => {
  it('renders the same HTML for at least 98% of the examples (641 of 652 today)', () => {
    const examples = specExamples();
    assert.ok(examples.length > 600, 'the spec package should hold the full example set');
    const report = commonmarkReport(examples);
    const summary = Object.entries(report.failures).map(([s, n]) => `${s}: ${n.join(',')}`).join('\n');
    assert.ok(report.percent >= 98, `only ${report.passed}/${report.total} (${report.percent.toFixed(1)}%) passed:\n${summary}`);
  });
});
