// Amplify's fixed names, kept apart from the SDK-using code so the CLI can show them in --help.

/** The IAM console's default name for the Amplify service role (seed 000). */
export const AMPLIFY_DEFAULT_ROLE_NAME = "AmplifyConsoleServiceRole-AmplifyRole";

export const amplifyManagedPolicyArn = (partition = "aws") =>
  `arn:${partition}:iam::aws:policy/AdministratorAccess-Amplify`;

/** The narrower policy AWS offers for Gen 2 backends (no iam:PassRole on *). */
export const amplifyGen2PolicyArn = (partition = "aws") =>
  `arn:${partition}:iam::aws:policy/service-role/AmplifyBackendDeployFullAccess`;
