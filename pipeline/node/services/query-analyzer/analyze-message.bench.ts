/**
 * Micro-benchmark of the analyzer (not a test: timings belong to `vitest bench`, not to assertions).
 *   npx vitest bench --run pipeline/node/services/query-analyzer/
 * Target: well under 1 ms per normal message, ideally < 30 µs.
 */
import { bench, describe } from 'vitest';
import { analyzeMessage } from './analyze-message.js';
import { AnalyzerState } from './analyzer-state.js';

const NORMAL_CHAT = [
  'hi chat',
  'what game is this?',
  'this stream is awesome, love it!',
  'LUL he fell off again',
  '!uptime',
  'Kappa Kappa PogChamp',
  'the boss has two phases, you need to dodge the second one to the left',
  '@BitBratBot what is the schedule for tomorrow?',
  'gg that was so clutch',
  'your mic audio is a bit quiet today',
  'hola a todos, ¿qué juego es este?',
  'この配信すごい',
];

describe('query-analyzer', () => {
  const state = new AnalyzerState();
  let sequence = 0;
  bench('analyzeMessage, normal chat from 5,000 users', () => {
    sequence++;
    analyzeMessage(
      {
        text: NORMAL_CHAT[sequence % NORMAL_CHAT.length]!,
        userId: `user-${sequence % 5000}`,
        eventId: `event-${sequence}`,
        at: 1_000_000 + sequence,
      },
      state,
      { botName: 'BitBratBot' },
    );
  });
  bench('analyzeMessage, profane message (full obscenity path)', () => {
    sequence++;
    analyzeMessage(
      {
        text: 'what the fuck was that play',
        userId: `user-${sequence % 5000}`,
        eventId: `event-${sequence}`,
        at: 1_000_000 + sequence,
      },
      state,
      { botName: 'BitBratBot' },
    );
  });
});
