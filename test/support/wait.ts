/**
 * Waiting for a condition in tests: poll until `probe` gives a value (anything but undefined, null
 * or false), and fail naming what was awaited — never a fixed sleep followed by an assertion.
 */
export async function waitUntil<T>(
  what: string | (() => string | Promise<string>),
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : await what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
