"""CodeArtifact's request quotas, as boto3 meets them.

Run by e2e/throttle_test.go as

    python3 boto3_throttle.py ENDPOINT_URL ACCOUNT_ID

against a server started with --throttle codeartifact (the User Guide's
quotas exactly), with the root credentials in the environment. Retries are
off, so the first refusal reaches the script. It sends GetAuthorizationToken
(40 requests a second per account) as fast as it can until one is refused,
checks the refusal is the modeled ThrottlingException with status 429 and a
Retry-After header, that other operations still pass, and that after waiting
as long as Retry-After says the operation passes again. Prints one JSON
object.
"""

import json
import sys
import time

import boto3
import botocore
from botocore.config import Config

ENDPOINT, ACCOUNT = sys.argv[1], sys.argv[2]
c = boto3.client("codeartifact", region_name="us-east-1", endpoint_url=ENDPOINT,
                 config=Config(retries={"total_max_attempts": 1}))

c.create_domain(domain="throttled")
passed, refusal = 0, None
start = time.monotonic()
for _ in range(2000):
    try:
        c.get_authorization_token(domain="throttled", durationSeconds=900)
        passed += 1
    except c.exceptions.ThrottlingException as e:
        refusal = e
        break
elapsed = time.monotonic() - start
if refusal is None:
    sys.exit("2000 GetAuthorizationToken calls in %.1fs, none refused" % elapsed)
meta = refusal.response["ResponseMetadata"]
headers = meta["HTTPHeaders"]
if meta["HTTPStatusCode"] != 429 or refusal.response["Error"]["Code"] != "ThrottlingException":
    sys.exit("refusal: %r" % refusal.response)
retry_after = int(headers.get("retry-after", "0"))
if retry_after < 1:
    sys.exit("no Retry-After: %r" % headers)
if "Rate exceeded" not in refusal.response["Error"]["Message"]:
    sys.exit("message: %r" % refusal.response["Error"]["Message"])
# An operation without a quota of its own is not refused.
c.describe_domain(domain="throttled")
time.sleep(retry_after)
c.get_authorization_token(domain="throttled", durationSeconds=900)
print(json.dumps({"ok": True, "passed": passed, "seconds": round(elapsed, 2), "retry_after": retry_after,
                  "message": refusal.response["Error"]["Message"], "boto3": boto3.__version__}))
