import { describe, expect, it } from 'vitest';
import { checkLocally, checkReplies } from './safety.js';

describe('reply safety layers', () => {
  it('passes ordinary replies, including words that merely contain a bad substring', () => {
    for (const text of [
      'Welcome in, have fun!',
      'That was a classic assassination mission in Hitman.',
      'Scunthorpe United won!',
      'Hi. Me too!',
      'Ryan Dahl created Node.js in 2009.',
    ]) {
      expect(checkLocally(text)).toEqual({ ok: true });
    }
  });

  it('holds with structured findings and a reason a moderator reads', () => {
    const verdict = checkLocally('you are a fucking legend, call 555-0100');
    expect(verdict.ok).toBe(false);
    if (verdict.ok) return;
    expect(verdict.reason).toMatch(/^held: /);
    expect(verdict.hold.findings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ check: 'slur', kind: 'profanity', found: 'fuck' }),
        expect.objectContaining({ check: 'personal-data', kind: 'phone number', found: '555-0100' }),
      ]),
    );
  });

  it('holds every draft of a request the analyzer rated "hold", with the request as the finding', () => {
    const verdict = checkLocally('Sure, here you go!', {
      requestFindings: [{ check: 'request', kind: 'prompt-extraction', found: "asks for the bot's instructions" }],
    });
    expect(verdict).toMatchObject({ ok: false, hold: { findings: [{ check: 'request', kind: 'prompt-extraction' }] } });
  });

  it('turns a detector off when its setting says so', () => {
    const detectors = {
      leak: 'hold',
      'personal-data': 'off',
      link: 'hold',
      slur: 'hold',
      harassment: 'hold',
      'viewer-instructions': 'hold',
      impersonation: 'hold',
      'chat-command': 'hold',
    } as const;
    expect(checkLocally('call 555-0100', { settings: { detectors } })).toEqual({ ok: true });
    expect(checkLocally('call 555-0100').ok).toBe(false);
  });

  it('asks the judge only about drafts that passed locally, and holds what it flags', async () => {
    const asked: string[][] = [];
    const verdicts = await checkReplies(['fine one', 'damn fucking thing', 'flag me'], {
      judge: async (texts) => {
        asked.push([...texts]);
        return texts.map((t) => ({ flagged: t === 'flag me', categories: t === 'flag me' ? ['harassment'] : [] }));
      },
    });
    expect(asked).toEqual([['fine one', 'flag me']]);
    expect(verdicts[0]).toEqual({ ok: true });
    expect(verdicts[1]).toMatchObject({ ok: false, reason: expect.stringMatching(/^held: slur/) });
    expect(verdicts[2]).toMatchObject({
      ok: false,
      hold: { findings: [{ check: 'judge', kind: 'harassment', found: 'flagged: harassment' }] },
    });
  });

  it('fails closed when the judge cannot answer', async () => {
    const verdicts = await checkReplies(['fine one'], {
      judge: async () => {
        throw new Error('HTTP 503');
      },
    });
    expect(verdicts[0]).toMatchObject({
      ok: false,
      hold: { findings: [{ check: 'judge', kind: 'unavailable', found: 'judge unavailable: HTTP 503' }] },
    });
  });

  it('fails closed when the judge answers fewer verdicts than drafts', async () => {
    const verdicts = await checkReplies(['one', 'two'], { judge: async () => [{ flagged: false, categories: [] }] });
    expect(verdicts[0]).toEqual({ ok: true });
    expect(verdicts[1]).toMatchObject({ ok: false, hold: { findings: [{ check: 'judge', kind: 'unavailable' }] } });
  });
});
