"""Prints, for each config file named on the command line, the profiles botocore reads from it.

One JSON document per line: {"profiles": {name: {key: value}}} with only the string values (the
nested ones, like s3 = ..., left out), or {"error": "<exception class>"} when botocore refuses
the file. The differential test in test/unit/config-botocore.test.ts compares rolectl with it.
"""

import json
import sys

import botocore.configloader as loader

for path in sys.argv[1:]:
    try:
        profiles = loader.load_config(path)["profiles"]
        out = {
            "profiles": {
                name: {k: v for k, v in values.items() if isinstance(v, str)}
                for name, values in profiles.items()
            }
        }
    except Exception as err:  # noqa: BLE001 - the class is the answer
        out = {"error": type(err).__name__}
    print(json.dumps(out))
