"""Starts moto_server with only the AWS managed policies the caller names.

moto copies every AWS managed policy (about 1,300) into each account it creates, which costs
about a second of CPU per account. The e2e suite attaches five of them, so it loads only those
(ROLECTL_MOTO_MANAGED_POLICIES, comma-separated names); everything else is moto_server as is.
Exit status 3 means moto cannot be imported by this Python, so the caller falls back to moto_server.
"""

import json
import os
import sys

try:
    import moto.iam.models as iam_models
    from moto.server import main
except ImportError:
    sys.exit(3)

wanted = os.environ.get("ROLECTL_MOTO_MANAGED_POLICIES")
if wanted is not None:
    names = {name for name in wanted.split(",") if name}
    every = json.loads(iam_models.aws_managed_policies_data)
    missing = names - every.keys()
    if missing:
        sys.stderr.write(f"moto has no AWS managed policy named {', '.join(sorted(missing))}\n")
        sys.exit(2)
    iam_models.aws_managed_policies_data = json.dumps({n: every[n] for n in names})

main(sys.argv[1:])
