/**
 * Rules the tests share. `!hello` is answered by the commands service at once by default; this rule
 * holds that reply for a moderator, so a test decides when (and whether) it goes out.
 */
import type { RuleInput } from '../../pipeline/core/rules.js';

export const HOLD_HELLO: RuleInput = {
  id: 'hello-needs-approval',
  stage: 'reaction',
  priority: 200,
  when: { startsWith: [{ var: 'text' }, '!hello'] },
  slip: ['commands'],
  approval: { mode: 'require', expireSeconds: 300 },
};
