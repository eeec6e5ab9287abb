/** A coded error (`err.code`), optionally wrapping its cause. Messages never carry job contents. */
export function coded(code: string, message: string, cause?: unknown): Error & { code: string } {
  return Object.assign(new Error(message, cause === undefined ? undefined : { cause }), { code });
}
