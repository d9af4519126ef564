declare const __ROLECTL_VERSION__: string | undefined;

/** Injected by the esbuild bundle; "dev" when running from source (tests of pure code). */
export const VERSION: string = typeof __ROLECTL_VERSION__ === "string" ? __ROLECTL_VERSION__ : "dev";
