import type { Env } from "../shared/env.js";
import { authError } from "../shared/errors.js";

// GitHub Actions hands a job an OIDC token over HTTP (the job must have
// `permissions: id-token: write`); rolectl assumes a role with it (AssumeRoleWithWebIdentity).

/**
 * The job's OIDC token from GitHub Actions (ACTIONS_ID_TOKEN_REQUEST_URL with the request
 * token as bearer), for the audience the role's trust policy names.
 */
export async function githubActionsToken(
  env: Env,
  audience: string,
  secret: (value: string | undefined) => void,
): Promise<string> {
  const url = env.ACTIONS_ID_TOKEN_REQUEST_URL;
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
  secret(bearer);
  if (!url || !bearer)
    throw authError(
      "web_identity_token",
      `--github-actions needs ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN; ${url ? "the token" : bearer ? "the URL" : "neither"} is set.`,
      { hint: "Run inside a GitHub Actions job whose workflow has `permissions: id-token: write`." },
    );
  const target = `${url}${url.includes("?") ? "&" : "?"}audience=${encodeURIComponent(audience)}`;
  let answer: Response;
  try {
    answer = await fetch(target, {
      headers: { authorization: `bearer ${bearer}`, accept: "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw authError(
      "web_identity_token",
      `Cannot reach ACTIONS_ID_TOKEN_REQUEST_URL: ${(err as Error).message}.`,
    );
  }
  const body = (await answer.text().catch(() => "")).slice(0, 64 * 1024);
  let value: unknown;
  try {
    value = (JSON.parse(body) as { value?: unknown }).value;
  } catch {
    value = undefined;
  }
  if (!answer.ok || typeof value !== "string" || !value)
    throw authError(
      "web_identity_token",
      `GitHub Actions did not hand out an OIDC token (HTTP ${answer.status} from ACTIONS_ID_TOKEN_REQUEST_URL).`,
      {
        hint: "Check the workflow's `permissions: id-token: write`; the request token is valid only within the job.",
      },
    );
  return value;
}
