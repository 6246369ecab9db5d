/**
 * The spam analyzer measured on a labelled stretch of realistic chat (test/support/labelled-chat.ts):
 * precision and recall of `spam.isSpam`, and the mistakes by scene, printed for the closing note.
 */
import { describe, expect, it } from 'vitest';
import { labelledChat } from '../../../../test/support/labelled-chat.js';
import { analyzeMessage } from './analyze-message.js';
import { AnalyzerState } from './analyzer-state.js';

describe('spam detection on labelled realistic chat', () => {
  it('keeps precision and recall above the bar, and never calls repeated short questions spam', () => {
    const lines = labelledChat();
    const state = new AnalyzerState();
    let truePositive = 0;
    let falsePositive = 0;
    let falseNegative = 0;
    const mistakes = new Map<string, number>();
    for (const [index, line] of lines.entries()) {
      const analysis = analyzeMessage(
        { text: line.text, userId: line.userId, eventId: `event-${index}`, at: line.at, roles: line.roles },
        state,
        { botName: 'bitbrat' },
      );
      const said = analysis.spam.isSpam;
      if (said && line.spam) truePositive++;
      else if (said && !line.spam) falsePositive++;
      else if (!said && line.spam) falseNegative++;
      if (said !== line.spam) {
        const key = `${line.scene} (${line.spam ? 'missed' : 'false alarm'})`;
        mistakes.set(key, (mistakes.get(key) ?? 0) + 1);
      }
    }
    const precision = truePositive / (truePositive + falsePositive);
    const recall = truePositive / (truePositive + falseNegative);
    const spamLines = lines.filter((line) => line.spam).length;
    console.log(
      `spam on ${lines.length} labelled lines (${spamLines} spam): precision ${precision.toFixed(3)}, recall ${recall.toFixed(3)}; mistakes: ${
        [...mistakes].map(([key, count]) => `${key} ${count}`).join(', ') || 'none'
      }`,
    );
    expect(lines.length).toBeGreaterThan(300);
    expect(mistakes.get('repeated question (false alarm)') ?? 0).toBe(0);
    expect(mistakes.get('raid (false alarm)') ?? 0).toBe(0);
    expect(mistakes.get('link bot (missed)') ?? 0).toBe(0);
    expect(precision).toBeGreaterThanOrEqual(0.9);
    expect(recall).toBeGreaterThanOrEqual(0.8);
  });
});
