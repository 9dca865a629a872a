/**
 * The message of an error answer, for people. LogSentinel's JSON APIs answer
 * `{"status":"error","error":"<message>"}`, the auth API `{"error":"<code>","message":"<message>"}`
 * (docs/specs/auth.md), Loki's routes plain text. Pure.
 */
export function apiErrorMessage(body: string): string {
  const text = body.trim();
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (typeof j.message === 'string' && j.message) return j.message;
    if (typeof j.error === 'string' && j.error) return j.error;
  } catch {
    // Loki's errors are plain text
  }
  return text;
}
