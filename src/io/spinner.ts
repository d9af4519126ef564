import type { Stream } from "./output.js";

// Progress for slow work. On a terminal it is a spinner (yocto-spinner, loaded lazily);
// elsewhere it is silent, so CI logs and captured stderr stay clean.

export interface Progress {
  update(text: string): void;
  succeed(text?: string): void;
  fail(text?: string): void;
  stop(): void;
}

const silent: Progress = { update() {}, succeed() {}, fail() {}, stop() {} };

let active: Progress | undefined;

/** Stops whatever spinner is running (used on SIGINT and before printing an error). */
export function stopActiveProgress(): void {
  active?.stop();
  active = undefined;
}

export async function startProgress(
  text: string,
  stream: Stream & NodeJS.WritableStream,
  enabled: boolean,
): Promise<Progress> {
  if (!enabled || stream.isTTY !== true) return silent;
  const { default: yoctoSpinner } = await import("yocto-spinner");
  const spinner = yoctoSpinner({ text, stream: stream as NodeJS.WriteStream }).start();
  const progress: Progress = {
    update(t) {
      spinner.text = t;
    },
    succeed(t) {
      spinner.success(t);
      active = undefined;
    },
    fail(t) {
      spinner.error(t);
      active = undefined;
    },
    stop() {
      spinner.stop();
      active = undefined;
    },
  };
  active = progress;
  return progress;
}
