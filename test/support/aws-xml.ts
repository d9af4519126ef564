// Canned IAM query-protocol answers for the proxy's "respond" fault.

const xmlEscape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function iamResponse(action: string, resultXml: string): string {
  return `<${action}Response xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><${action}Result>${resultXml}</${action}Result><ResponseMetadata><RequestId>canned</RequestId></ResponseMetadata></${action}Response>`;
}

export function iamError(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>canned</RequestId></ErrorResponse>`;
}

export function deletionStatus(
  status: string,
  usage?: { reason: string; regions: Record<string, string[]> },
): string {
  const reason = usage
    ? `<Reason><Reason>${xmlEscape(usage.reason)}</Reason><RoleUsageList>${Object.entries(usage.regions)
        .map(
          ([region, resources]) =>
            `<member><Region>${region}</Region><Resources>${resources.map((r) => `<member>${xmlEscape(r)}</member>`).join("")}</Resources></member>`,
        )
        .join("")}</RoleUsageList></Reason>`
    : "";
  return iamResponse("GetServiceLinkedRoleDeletionStatus", `<Status>${status}</Status>${reason}`);
}
