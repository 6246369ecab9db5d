/**
 * The one way a zod error becomes text for people: each issue as `path.to.field: message`, so
 * whoever sent bad input (a console, a client program, a file, a connector) sees which field.
 * Pure (core): used on every side of every boundary.
 */
import type { z } from 'zod';

export interface IssueFormat {
  /** Label for an issue about the whole value (empty path). Default `(root)`. */
  root?: string;
  /** At most this many issues (one bad list can raise hundreds). Default 5. */
  limit?: number;
}

/** One line per issue, at most `limit`. */
export function issueLines(error: z.ZodError, format: IssueFormat = {}): string[] {
  const root = format.root ?? '(root)';
  return error.issues
    .slice(0, format.limit ?? 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : root}: ${issue.message}`);
}

/** Every offending field in one line: `message.text: Too long; identity.external.login: Required`. */
export function describeIssues(error: z.ZodError, format: IssueFormat = {}): string {
  return issueLines(error, format).join('; ');
}
