// What core code may ask a person. The implementations (inquirer on a terminal, an error naming
// the flag in CI) live in src/io; core receives one and never knows who answers.

export interface Choice<T> {
  name: string;
  value: T;
  description?: string;
}

export interface PromptBase {
  message: string;
  /** The flag that supplies this value non-interactively, named in errors. */
  flag: string;
}

export interface Prompter {
  input(q: PromptBase & { default?: string; validate?: (value: string) => string | true }): Promise<string>;
  secret(q: PromptBase & { validate?: (value: string) => string | true }): Promise<string>;
  confirm(q: PromptBase & { default?: boolean }): Promise<boolean>;
  select<T>(q: PromptBase & { choices: Choice<T>[]; default?: T }): Promise<T>;
}
