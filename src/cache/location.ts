import { join } from "node:path";
import type { Env } from "../shared/env.js";

export const cacheDirFor = (env: Env, home: string): string =>
  env.ROLECTL_CACHE_DIR || join(home, ".aws", "rolectl", "cache");
