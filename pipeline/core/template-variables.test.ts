import { describe, expect, it } from 'vitest';
import { renderTemplate } from './commands.js';
import {
  TEMPLATE_VARIABLES,
  TEMPLATE_VARIABLE_DEFINITIONS,
  templateCounters,
  unknownPlaceholders,
} from './template-variables.js';

/** A fixed sequence of "random" numbers in [0, 1). */
function sequence(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

describe('template variables: one definition list', () => {
  it('defines every simple variable the renderer fills, so the editor can list it', () => {
    const defined = new Set(
      TEMPLATE_VARIABLE_DEFINITIONS.filter((definition) => !('parameter' in definition)).map((d) => d.name),
    );
    expect([...defined].sort()).toEqual([...TEMPLATE_VARIABLES].sort());
    expect(TEMPLATE_VARIABLE_DEFINITIONS.map((d) => d.syntax)).toEqual(
      expect.arrayContaining(['{random:1-100}', '{pick:a|b|c}', '{count:NAME}', '{followage}', '{target}']),
    );
  });

  it('flags placeholders nothing fills', () => {
    expect(unknownPlaceholders('{user} {nope} {random:x} {random:1-6} {pick:} {count:deaths}')).toEqual([
      '{nope}',
      '{random:x}',
    ]);
  });
});

describe('renderTemplate with parameters', () => {
  it('draws {random:MIN-MAX} inclusive at both ends, in either order', () => {
    expect(renderTemplate('rolled {random:1-6}', {}, { random: sequence(0) })).toBe('rolled 1');
    expect(renderTemplate('rolled {random:1-6}', {}, { random: sequence(0.9999) })).toBe('rolled 6');
    expect(renderTemplate('{random:10-1}', {}, { random: sequence(0.5) })).toBe('6');
    expect(renderTemplate('{random:-5--1}', {}, { random: sequence(0) })).toBe('-5');
  });

  it('picks one of {pick:a|b|c} and ignores empty choices', () => {
    expect(renderTemplate('{pick:rock|paper|scissors}', {}, { random: sequence(0.5) })).toBe('paper');
    expect(renderTemplate('{pick: a || b }', {}, { random: sequence(0.99) })).toBe('b');
  });

  it('shows {count:NAME} from the values given, 0 for an unknown counter', () => {
    expect(templateCounters('{count:Deaths} {count:wins} {count} {count:deaths}')).toEqual(['deaths', 'wins']);
    expect(renderTemplate('{count:deaths}/{count:wins}', {}, { counters: { deaths: 7 } })).toBe('7/0');
  });

  it('keeps malformed or unknown parameters as written, and user text stays text', () => {
    expect(renderTemplate('{random:a-b} {nope:1} {user}', { user: '{random:1-9}' })).toBe(
      '{random:a-b} {nope:1} {random:1-9}',
    );
  });

  it('never starts a reply with a Twitch command, whatever a pick produced', () => {
    expect(renderTemplate('{pick:/ban someone}', {}, { random: sequence(0) })).toBe('ban someone');
  });
});
