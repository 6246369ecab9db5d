import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from 'obscenity';
import { describe, expect, it } from 'vitest';
import { censorWord, findProfanity, profanityPrefilterActive } from './profanity.js';

const reference = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

const CORPUS = [
  'hi chat',
  'what the fuck',
  'f.u.c.k',
  'fuuuuuuck',
  'you are a b1tch',
  'sh1t happens',
  'assassin class',
  'the Scunthorpe problem',
  'pen is mightier',
  'cocktail hour',
  'I need a cuckoo clock',
  'analysis paralysis',
  'kill all the $luts',
  'this is a normal sentence about the game',
  'Kappa Kappa PogChamp',
  'a$$hole',
  'c u n t',
  'dickens is a writer',
];

describe('findProfanity', () => {
  it('uses the fast prefilter with the installed obscenity version', () => {
    expect(profanityPrefilterActive).toBe(true);
  });

  it.each(CORPUS)('agrees with the full obscenity matcher on %j', (text) => {
    expect(findProfanity(text).words.length > 0).toBe(reference.hasMatch(text));
  });

  it('grades severity: swearing mild, degrading terms strong, slurs severe', () => {
    expect(findProfanity('oh shit').severity).toBe('mild');
    expect(findProfanity('shut up slut').severity).toBe('strong');
    expect(findProfanity('f4ggot').severity).toBe('severe');
    expect(findProfanity('lovely weather').severity).toBe('none');
  });

  it('censors all but the first letter of each word', () => {
    expect(censorWord('fuck')).toBe('f***');
    expect(censorWord('double penetration')).toBe('d***** p**********');
  });
});
