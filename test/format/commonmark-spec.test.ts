import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { commonmarkReport, specExamples } from '../../bench/format-commonmark.js';

describe('markdown format: CommonMark spec examples survive Markdown → storage → Markdown', () => {
  it('renders the same HTML for at least 95% of the examples', () => {
    const examples = specExamples();
    assert.ok(examples.length > 600, 'the spec package should hold the full example set');
    const report = commonmarkReport(examples);
    const summary = Object.entries(report.failures).map(([s, n]) => `${s}: ${n.join(',')}`).join('\n');
    assert.ok(report.percent >= 95, `only ${report.passed}/${report.total} (${report.percent.toFixed(1)}%) passed:\n${summary}`);
  });
});
