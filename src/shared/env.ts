/** The process environment as rolectl reads it (passed in, never read from `process` below cli). */
export type Env = Record<string, string | undefined>;
