import type { Readable } from "node:stream";
import { pipeline, Transform } from "node:stream";
import type { HttpHandlerOptions } from "@aws-sdk/types";
import { NodeHttpHandler, type NodeHttpHandlerOptions } from "@smithy/node-http-handler";

// The SDK's requestTimeout is an idle timeout: an answer trickled one byte every few seconds
// never trips it, and a body of any size is read into memory. Each attempt here has a total
// deadline, headers and body together, and a body larger than any IAM/STS answer is cut off.

export interface HttpLimits {
  /** One attempt, connect to last byte. */
  attemptMs: number;
  /** The most a response body may hold. */
  maxBodyBytes: number;
}

/** An error the SDK's retry strategy treats as transient, like its own timeouts. */
const timeoutError = (ms: number) =>
  Object.assign(new Error(`no complete answer within ${ms / 1000} s`), { name: "TimeoutError" });

const tooLarge = (max: number) =>
  Object.assign(new Error(`the answer is larger than ${max / 1024 / 1024} MB`), { name: "ResponseTooLarge" });

export class BoundedHttpHandler extends NodeHttpHandler {
  constructor(
    private readonly limits: HttpLimits,
    options: NodeHttpHandlerOptions,
  ) {
    super(options);
  }

  override async handle(
    ...[request, options = {}]: Parameters<NodeHttpHandler["handle"]>
  ): ReturnType<NodeHttpHandler["handle"]> {
    const { attemptMs, maxBodyBytes } = this.limits;
    const controller = new AbortController();
    const given = (options as HttpHandlerOptions).abortSignal as AbortSignal | undefined;
    const signal = given ? AbortSignal.any([given, controller.signal]) : controller.signal;
    let body: Readable | undefined;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = timeoutError(attemptMs);
        controller.abort(err);
        body?.destroy(err);
        reject(err);
      }, attemptMs);
    });
    expired.catch(() => {}); // after the headers, the body's reader gets the error instead
    try {
      const out = await Promise.race([super.handle(request, { ...options, abortSignal: signal }), expired]);
      const source = out.response.body as Readable;
      if (Number(out.response.headers["content-length"]) > maxBodyBytes) {
        source.destroy();
        throw tooLarge(maxBodyBytes);
      }
      let bytes = 0;
      const limited = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          bytes += chunk.length;
          done(bytes > maxBodyBytes ? tooLarge(maxBodyBytes) : null, chunk);
        },
      });
      body = limited;
      pipeline(source, limited, () => clearTimeout(timer));
      out.response.body = limited;
      return out;
    } catch (err) {
      clearTimeout(timer);
      throw err;
    }
  }
}
