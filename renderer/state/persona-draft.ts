/**
 * The persona form as strings and back, validated with PersonaSchema (the schema the host saves
 * with). "Do" and "don't" are one rule per line; model overrides are a small JSON object.
 */
import { PersonaSchema, type Persona } from '../../pipeline/core/llm.js';

export interface PersonaDraft {
  id: string;
  name: string;
  instructions: string;
  do: string;
  dont: string;
  replyLength: string;
  model: string;
}

export type PersonaCheck = { ok: true; persona: Persona } | { ok: false; errors: Record<string, string> };

export const NEW_PERSONA_DRAFT: PersonaDraft = {
  id: '',
  name: '',
  instructions: '',
  do: '',
  dont: '',
  replyLength: '300',
  model: '{}',
};

export function toPersonaDraft(persona: Persona): PersonaDraft {
  return {
    id: persona.id,
    name: persona.name,
    instructions: persona.instructions,
    do: persona.do.join('\n'),
    dont: persona.dont.join('\n'),
    replyLength: String(persona.replyLength),
    model: JSON.stringify(persona.model, null, 2),
  };
}

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);

export function checkPersonaDraft(draft: PersonaDraft): PersonaCheck {
  const errors: Record<string, string> = {};
  let model: unknown = {};
  try {
    model = draft.model.trim() ? JSON.parse(draft.model) : {};
  } catch (error) {
    errors.model = `not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const parsed = PersonaSchema.safeParse({
    id: draft.id.trim(),
    name: draft.name,
    instructions: draft.instructions,
    do: lines(draft.do),
    dont: lines(draft.dont),
    replyLength: draft.replyLength.trim() === '' ? Number.NaN : Number(draft.replyLength),
    model,
  });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [field, ...rest] = issue.path.map(String);
      if (!field) continue;
      errors[field] ??= rest.length > 0 ? `${rest.join('.')}: ${issue.message}` : issue.message;
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, persona: parsed.data };
}
