import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import {
  answerFake,
  FakeGitHub,
  FakeSso,
  fakeFaultAnswer,
  fakeParams,
  fingerprint,
  isFakeService,
  routeFake,
  webIdentityDenial,
} from "./fake-sso.js";

// A recording / fault-injecting proxy in front of moto_server.
// - records every call: service (from the SigV4 credential scope), Action and parameters
//   (form body for the IAM/STS query protocol, JSON body + path for Amplify's REST API);
// - injects faults per action (Throttling, 500, delay, AccessDenied, ExpiredToken, connection
//   reset, or any canned response), each for a given number of calls;
// - in strict mode enforces what moto ignores on sts:AssumeRole: the trust policy's principal
//   account, sts:ExternalId and aws:MultiFactorAuthPresent, and AWS's refusal of a reused MFA code;
// - plays Amplify GetApp / UpdateApp from an in-memory table (moto has no Amplify);
// - plays IAM Identity Center (sso-oidc, sso portal) and GitHub Actions' OIDC token endpoint
//   (fake-sso.ts: `sso`, `github`), routed by path, recorded as services "sso-oidc"/"sso"/"github";
// - records unsigned AssumeRoleWithWebIdentity/SAML as "sts", with the token fingerprinted, and in
//   strict mode checks the web identity token against the role's trust policy (moto does not).

export interface RecordedCall {
  service: string;
  action: string;
  params: Record<string, string>;
  method: string;
  path: string;
  accessKeyId?: string;
  userAgent: string;
  /** What answered: "moto", "proxy" (Amplify), or the fault's kind. */
  answeredBy: string;
  status?: number;
}

export type Fault =
  | { kind: "throttle" }
  | { kind: "error500" }
  | { kind: "accessDenied"; message?: string }
  | { kind: "expiredToken" }
  | { kind: "reset" }
  /** moto does the call, then the connection drops before the answer: "did it happen?" */
  | { kind: "lostAnswer" }
  /** moto does the call; its 200 and half the body arrive, then the connection drops. */
  | { kind: "cutBody" }
  | { kind: "delay"; ms: number }
  /** A 200 whose body arrives one byte every `intervalMs`, for ever. */
  | { kind: "trickle"; intervalMs: number }
  /** A 200 with a body of `bytes` bytes, streamed (never held in memory here). */
  | { kind: "huge"; bytes: number }
  | { kind: "respond"; status: number; body: string; contentType?: string };

interface FaultRule {
  action: string;
  fault: Fault;
  remaining: number;
}

export interface AmplifyApp {
  appId: string;
  name: string;
  iamServiceRoleArn?: string;
  /** Branches by name: what GetBranch/UpdateBranch read and write. */
  branches?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

const READ_ACTION = /^(Get|List|Describe|Simulate)/;

function errorXml(service: string, code: string, message: string, type = "Sender"): string {
  const ns =
    service === "sts"
      ? "https://sts.amazonaws.com/doc/2011-06-15/"
      : "https://iam.amazonaws.com/doc/2010-05-08/";
  return `<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
    // A client killed mid-request: nothing to forward (and the handler must not wait forever).
    req.on("close", () => {
      if (!req.complete) reject(new Error("the client went away before its request was complete"));
    });
  });
}

function scopeOf(req: IncomingMessage): { service: string; accessKeyId?: string } {
  const auth = req.headers.authorization ?? "";
  const m = /Credential=([^/]+)\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(auth);
  return m?.[1] && m[2] ? { service: m[2], accessKeyId: m[1] } : { service: "unknown" };
}

export class TestProxy {
  readonly calls: RecordedCall[] = [];
  readonly amplifyApps = new Map<string, AmplifyApp>();
  /** IAM Identity Center (OIDC + portal), in memory: accounts, approvals, token lifetimes, counts. */
  readonly sso: FakeSso;
  /** GitHub Actions' OIDC token endpoint: `github.url`, `github.requestToken`, `github.subject`. */
  readonly github: FakeGitHub;
  strict = false;
  private rules: FaultRule[] = [];
  private usedMfaCodes = new Set<string>();
  private server: Server;
  url = "";

  private constructor(private readonly motoUrl: string) {
    this.sso = new FakeSso(motoUrl, () => this.url);
    this.github = new FakeGitHub(() => this.url);
    this.server = createServer((req, res) => {
      this.inFlight++;
      this.handle(req, res)
        .catch((err) => {
          res.statusCode = 502;
          res.end(`proxy error: ${(err as Error).message}`);
        })
        .finally(() => {
          this.inFlight--;
        });
    });
  }

  private inFlight = 0;

  /**
   * Resolves once no call is being handled: a call delayed past its client's death has then
   * reached moto (so AWS "did it"), which is what a test of a killed run needs to wait for.
   */
  async settled(timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0) {
      if (Date.now() > deadline) throw new Error(`proxy: ${this.inFlight} call(s) still in flight`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  static async start(motoUrl: string): Promise<TestProxy> {
    const proxy = new TestProxy(motoUrl);
    await new Promise<void>((resolve) => proxy.server.listen(0, "127.0.0.1", resolve));
    const addr = proxy.server.address();
    proxy.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
    return proxy;
  }

  /** Answers the next `times` calls of `action` with `fault` (default: every call). */
  inject(action: string, fault: Fault, times = Number.POSITIVE_INFINITY): void {
    this.rules.push({ action, fault, remaining: times });
  }

  clearFaults(): void {
    this.rules = [];
  }

  /** Forgets recorded calls, faults, strict mode, used MFA codes and the fakes' state (sso, github). */
  reset(): void {
    this.calls.length = 0;
    this.rules = [];
    this.strict = false;
    this.usedMfaCodes.clear();
    this.sso.reset();
    this.github.reset();
  }

  callsOf(action: string): RecordedCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Calls that change IAM or Amplify state (STS and the sso/github fakes never do; reads are Get*, List*, …). */
  writeCalls(): RecordedCall[] {
    return this.calls.filter(
      (c) => c.service !== "sts" && !isFakeService(c.service) && !READ_ACTION.test(c.action),
    );
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private takeFault(action: string): Fault | undefined {
    const rule = this.rules.find((r) => r.remaining > 0 && (r.action === action || r.action === "*"));
    if (!rule) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const scope = scopeOf(req);
    const { accessKeyId } = scope;
    const method = req.method ?? "GET";
    const path = req.url ?? "/";
    const fake = routeFake(scope.service, path);
    let service = fake?.service ?? scope.service;
    let action = "";
    let params: Record<string, string> = {};

    if (fake) {
      action = fake.action;
      params = fakeParams(fake, path, body);
    } else if (service === "amplify") {
      const m = /^\/apps\/([^/?]+)(?:\/branches\/([^/?]+))?/.exec(path);
      const noun = m?.[2] ? "Branch" : "App";
      action = m
        ? method === "GET"
          ? `Get${noun}`
          : method === "POST"
            ? `Update${noun}`
            : `${method}${noun}`
        : `${method} ${path}`;
      params = {
        ...(m?.[1] ? { appId: decodeURIComponent(m[1]) } : {}),
        ...(m?.[2] ? { branchName: decodeURIComponent(m[2]) } : {}),
      };
      if (body.length) {
        try {
          for (const [k, v] of Object.entries(JSON.parse(body.toString("utf8")) as Record<string, unknown>)) {
            params[k] = typeof v === "string" ? v : JSON.stringify(v);
          }
        } catch {
          // not JSON: leave params as they are
        }
      }
    } else {
      params = Object.fromEntries(new URLSearchParams(body.toString("utf8")));
      action =
        params.Action ??
        String(req.headers["x-amz-target"] ?? "")
          .split(".")
          .pop() ??
        "";
      // Unsigned (no source credentials): STS's web identity and SAML calls.
      if (service === "unknown" && /^AssumeRoleWith(WebIdentity|SAML)$/.test(action)) service = "sts";
    }
    const recorded = { ...params };
    for (const k of ["WebIdentityToken", "SAMLAssertion"])
      if (recorded[k]) recorded[k] = fingerprint(recorded[k]);
    const call: RecordedCall = {
      userAgent: String(req.headers["user-agent"] ?? ""),
      service,
      action,
      params: recorded,
      method,
      path,
      answeredBy: "moto",
      ...(accessKeyId ? { accessKeyId } : {}),
    };
    this.calls.push(call);

    const fault = this.takeFault(action);
    if (fault) {
      call.answeredBy = fault.kind;
      if (fault.kind === "delay") {
        await new Promise((r) => setTimeout(r, fault.ms));
      } else if (fake && (fault.kind === "lostAnswer" || fault.kind === "cutBody")) {
        // the fake acts, then the connection drops (before the answer, or half way through its body)
        const answer = await answerFake(fake, this, { method, path, headers: req.headers, body });
        call.status = 0;
        if (fault.kind === "cutBody") {
          res.writeHead(answer.status, {
            ...answer.headers,
            "content-length": String(Buffer.byteLength(answer.body)),
          });
          res.write(answer.body.slice(0, Math.floor(answer.body.length / 2)));
        }
        setImmediate(() => res.socket?.destroy());
        return;
      } else if (fault.kind === "lostAnswer" || fault.kind === "cutBody") {
        call.status = await this.forward(req, body, res, {
          drop: fault.kind === "lostAnswer" ? "before" : "mid-body",
        });
        return;
      } else {
        this.answerFault(fault, service, res, call);
        return;
      }
    }

    if (fake) {
      call.answeredBy = "proxy";
      const answer = await answerFake(fake, this, { method, path, headers: req.headers, body });
      call.status = answer.status;
      res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }
    if (service === "amplify") {
      call.answeredBy = "proxy";
      this.answerAmplify(action, params, res, call);
      return;
    }
    if (this.strict && service === "sts" && action === "AssumeRoleWithWebIdentity") {
      const denied = webIdentityDenial(
        params.WebIdentityToken ?? "",
        await this.trustPolicyOf(params.RoleArn),
      );
      if (denied) {
        call.answeredBy = "strict";
        call.status = denied.status;
        res
          .writeHead(denied.status, { "content-type": "text/xml" })
          .end(errorXml("sts", denied.code, denied.message));
        return;
      }
    }
    if (this.strict && service === "sts" && action === "AssumeRole") {
      const denied = await this.checkTrust(params, req);
      if (denied) {
        call.answeredBy = "strict";
        call.status = 403;
        res.writeHead(403, { "content-type": "text/xml" }).end(errorXml("sts", "AccessDenied", denied));
        return;
      }
    }
    call.status = await this.forward(req, body, res);
  }

  private answerFault(fault: Fault, service: string, res: ServerResponse, call: RecordedCall): void {
    const json = isFakeService(service)
      ? fakeFaultAnswer(service, fault.kind, "message" in fault ? fault.message : undefined)
      : undefined;
    if (json) {
      call.status = json.status;
      res.writeHead(json.status, json.headers).end(json.body);
      return;
    }
    const send = (status: number, code: string, message: string, type = "Sender") => {
      call.status = status;
      if (service === "amplify") {
        res
          .writeHead(status, { "content-type": "application/json", "x-amzn-errortype": code })
          .end(JSON.stringify({ message }));
      } else {
        res.writeHead(status, { "content-type": "text/xml" }).end(errorXml(service, code, message, type));
      }
    };
    switch (fault.kind) {
      case "throttle":
        send(400, "Throttling", "Rate exceeded");
        return;
      case "error500":
        send(500, "ServiceFailure", "Internal failure (injected)", "Receiver");
        return;
      case "accessDenied":
        send(
          403,
          "AccessDenied",
          fault.message ?? "User is not authorized to perform this action (injected)",
        );
        return;
      case "expiredToken":
        send(400, "ExpiredToken", "The security token included in the request is expired");
        return;
      case "reset":
        call.status = 0;
        res.socket?.destroy();
        return;
      case "respond":
        call.status = fault.status;
        res
          .writeHead(fault.status, {
            "content-type": fault.contentType ?? (isFakeService(service) ? "application/json" : "text/xml"),
          })
          .end(fault.body);
        return;
      case "trickle": {
        call.status = 200;
        res.writeHead(200, { "content-type": "text/xml" });
        const timer = setInterval(() => res.write("<"), fault.intervalMs);
        res.on("close", () => clearInterval(timer));
        return;
      }
      case "huge": {
        call.status = 200;
        res.writeHead(200, { "content-type": "text/xml" });
        const chunk = Buffer.alloc(64 * 1024, "x");
        let sent = 0;
        const more = () => {
          while (sent < fault.bytes && !res.destroyed) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once("drain", more);
          }
          res.end();
        };
        res.on("error", () => {});
        more();
        return;
      }
      case "delay":
      case "lostAnswer":
      case "cutBody":
        return;
    }
  }

  private answerAmplify(
    action: string,
    params: Record<string, string>,
    res: ServerResponse,
    call: RecordedCall,
  ): void {
    const app = params.appId ? this.amplifyApps.get(params.appId) : undefined;
    const json = (status: number, payload: unknown, errorType?: string) => {
      call.status = status;
      res.writeHead(status, {
        "content-type": "application/json",
        ...(errorType ? { "x-amzn-errortype": errorType } : {}),
      });
      res.end(JSON.stringify(payload));
    };
    if (!["GetApp", "UpdateApp", "GetBranch", "UpdateBranch"].includes(action)) {
      json(400, { message: `unsupported: ${action}` }, "BadRequestException");
      return;
    }
    if (!app) {
      json(404, { message: `App ${params.appId} not found.` }, "NotFoundException");
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    const appArn = `arn:aws:amplify:us-east-1:123456789012:apps/${app.appId}`;
    if (action.endsWith("Branch")) {
      const name = params.branchName ?? "";
      const branch = app.branches?.[name];
      if (!branch) {
        json(404, { message: `Branch ${name} not found.` }, "NotFoundException");
        return;
      }
      if (action === "UpdateBranch")
        for (const [k, v] of Object.entries(params)) if (k !== "appId" && k !== "branchName") branch[k] = v;
      json(200, {
        branch: {
          branchArn: `${appArn}/branches/${name}`,
          branchName: name,
          description: "",
          stage: "PRODUCTION",
          displayName: name,
          enableNotification: false,
          createTime: now,
          updateTime: now,
          environmentVariables: {},
          enableAutoBuild: true,
          customDomains: [],
          framework: "Next.js - SSR",
          activeJobId: "0",
          totalNumberOfJobs: "0",
          enableBasicAuth: false,
          ttl: "5",
          enablePullRequestPreview: false,
          ...branch,
        },
      });
      return;
    }
    if (action === "UpdateApp") {
      for (const [k, v] of Object.entries(params)) if (k !== "appId") app[k] = v;
    }
    const { branches: _branches, ...shown } = app;
    json(200, {
      app: {
        appArn,
        description: "",
        repository: "",
        platform: "WEB",
        createTime: now,
        updateTime: now,
        environmentVariables: {},
        defaultDomain: `${app.appId}.amplifyapp.com`,
        enableBranchAutoBuild: false,
        enableBasicAuth: false,
        ...shown,
      },
    });
    return;
  }

  /** Returns why AWS would refuse this AssumeRole, or undefined to let it through. */
  private async checkTrust(
    params: Record<string, string>,
    req: IncomingMessage,
  ): Promise<string | undefined> {
    const roleArn = params.RoleArn ?? "";
    const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    const caller = await this.callerArn(req);
    const deny = `User: ${caller ?? "unknown"} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    if (!m?.[1] || !m[2]) return deny;
    const doc = await this.trustPolicyOf(roleArn);
    if (!doc) return deny;
    const policy = JSON.parse(doc) as { Statement: unknown };
    const statements = (
      Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]
    ) as Statement[];
    const callerAccount = /^arn:aws[\w-]*:(?:iam|sts)::(\d{12}):/.exec(caller ?? "")?.[1];
    const mfa = Boolean(params.SerialNumber && params.TokenCode);
    const allowed = statements.some((s) => statementAllows(s, { callerAccount, caller, params, mfa }));
    if (!allowed) return deny;
    if (mfa) {
      const key = `${params.SerialNumber}|${params.TokenCode}`;
      if (this.usedMfaCodes.has(key))
        return "MultiFactorAuthentication failed with invalid MFA one time pass code.";
      this.usedMfaCodes.add(key);
    }
    return undefined;
  }

  /** The trust policy (JSON) of a role in moto, or undefined if there is no such role. */
  private async trustPolicyOf(roleArn: string | undefined): Promise<string | undefined> {
    const m = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn ?? "");
    if (!m?.[1] || !m[2]) return undefined;
    const xml = await this.motoQuery(
      "iam",
      { Action: "GetRole", Version: "2010-05-08", RoleName: m[2] },
      m[1],
    );
    const doc = /<AssumeRolePolicyDocument>([\s\S]*?)<\/AssumeRolePolicyDocument>/.exec(xml)?.[1];
    return doc ? decodeURIComponent(unescapeXml(doc)) : undefined;
  }

  private async callerArn(req: IncomingMessage): Promise<string | undefined> {
    const xml = await this.motoQuery(
      "sts",
      { Action: "GetCallerIdentity", Version: "2011-06-15" },
      undefined,
      req.headers.authorization,
    );
    return /<Arn>([^<]+)<\/Arn>/.exec(xml)?.[1];
  }

  private motoQuery(
    service: string,
    form: Record<string, string>,
    account?: string,
    authorization?: string,
  ): Promise<string> {
    const body = new URLSearchParams(form).toString();
    return new Promise((resolve, reject) => {
      const r = request(
        `${this.motoUrl}/`,
        {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": Buffer.byteLength(body),
            authorization:
              authorization ??
              `AWS4-HMAC-SHA256 Credential=AKIAPROXYSTRICT/20260101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`,
            ...(account ? { "x-moto-account-id": account } : {}),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (d) => {
            text += d;
          });
          res.on("end", () => resolve(text));
        },
      );
      r.on("error", reject);
      r.end(body);
    });
  }

  private forward(
    req: IncomingMessage,
    body: Buffer,
    res: ServerResponse,
    options: { drop?: "before" | "mid-body" } = {},
  ): Promise<number> {
    const target = new URL(req.url ?? "/", this.motoUrl);
    return new Promise((resolve, reject) => {
      const upstream = request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          if (options.drop) {
            const chunks: Buffer[] = [];
            up.on("data", (c: Buffer) => chunks.push(c));
            up.on("end", () => {
              if (options.drop === "mid-body") {
                const whole = Buffer.concat(chunks);
                res.writeHead(up.statusCode ?? 502, {
                  ...up.headers,
                  "content-length": String(whole.length),
                });
                res.write(whole.subarray(0, Math.floor(whole.length / 2)));
              }
              setImmediate(() => res.socket?.destroy());
              resolve(0);
            });
            return;
          }
          // moto has answered, so it acted; a client that died meanwhile never reads the end.
          const done = () => resolve(up.statusCode ?? 502);
          up.on("end", done);
          if (res.destroyed) {
            up.resume();
            return;
          }
          res.on("close", done);
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on("error", reject);
      upstream.end(body);
    });
  }
}

interface Statement {
  Effect?: string;
  Action?: string | string[];
  Principal?:
    | string
    | { AWS?: string | string[]; Service?: string | string[]; Federated?: string | string[] };
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
}

const unescapeXml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function statementAllows(
  s: Statement,
  ctx: {
    callerAccount: string | undefined;
    caller: string | undefined;
    params: Record<string, string>;
    mfa: boolean;
  },
): boolean {
  if (s.Effect !== "Allow") return false;
  if (!asList(s.Action).some((a) => a === "sts:AssumeRole" || a === "sts:*" || a === "*")) return false;
  const principals =
    s.Principal === "*" ? ["*"] : asList(typeof s.Principal === "object" ? s.Principal.AWS : undefined);
  const principalOk = principals.some(
    (p) =>
      p === "*" ||
      p === ctx.callerAccount ||
      p === `arn:aws:iam::${ctx.callerAccount}:root` ||
      (ctx.caller !== undefined && p === ctx.caller),
  );
  if (!principalOk) return false;
  for (const [operator, conditions] of Object.entries(s.Condition ?? {})) {
    for (const [key, expected] of Object.entries(conditions)) {
      const values = asList(expected).map(String);
      if (key === "sts:ExternalId") {
        if (!operator.startsWith("StringEquals") || !values.includes(ctx.params.ExternalId ?? "\u0000"))
          return false;
      } else if (key === "aws:MultiFactorAuthPresent") {
        if (values.includes("true") && !ctx.mfa) return false;
      } else if (key === "aws:MultiFactorAuthAge") {
        if (!ctx.mfa) return false;
      }
    }
  }
  return true;
}
