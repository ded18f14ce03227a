"""Every control-plane operation Arca serves, through boto3.

Run by e2e/boto3_test.go as

    python3 boto3_scenario.py ENDPOINT_URL ACCOUNT_ID

with the root credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. It
asserts as it goes and exits non-zero with a message on the first failure;
on success it prints one JSON object summarising what it did.
"""

import base64
import datetime
import json
import sys
import urllib.error
import urllib.request

import boto3
import botocore

ENDPOINT, ACCOUNT = sys.argv[1], sys.argv[2]
REGION = "us-east-1"

c = boto3.client("codeartifact", region_name=REGION, endpoint_url=ENDPOINT)
calls = {"ok": 0, "errors": 0}


class Failure(Exception):
    pass


def check(cond, msg, *details):
    if not cond:
        raise Failure(msg + "".join("\n  " + repr(d) for d in details))


def call(op, **kw):
    """Calls an operation that must succeed; checks ResponseMetadata."""
    out = getattr(c, op)(**kw)
    md = out.get("ResponseMetadata", {})
    check(md.get("HTTPStatusCode") == 200, f"{op}: status {md.get('HTTPStatusCode')}", out)
    check(md.get("RequestId"), f"{op}: no RequestId in ResponseMetadata", md)
    calls["ok"] += 1
    return out


def domain_arn(name):
    return f"arn:aws:codeartifact:{REGION}:{ACCOUNT}:domain/{name}"


def repo_arn(domain, name):
    return f"arn:aws:codeartifact:{REGION}:{ACCOUNT}:repository/{domain}/{name}"


def snapshot():
    """Everything the account has: domains, repositories, policies, tags."""
    state = {}
    for page in c.get_paginator("list_domains").paginate():
        for d in page["domains"]:
            name = d["name"]
            ds = {"description": c.describe_domain(domain=name)["domain"], "repositories": {}}
            try:
                ds["policy"] = c.get_domain_permissions_policy(domain=name)["policy"]
            except c.exceptions.ResourceNotFoundException:
                ds["policy"] = None
            ds["tags"] = c.list_tags_for_resource(resourceArn=d["arn"])["tags"]
            for rpage in c.get_paginator("list_repositories_in_domain").paginate(domain=name):
                for r in rpage["repositories"]:
                    rs = {"description": c.describe_repository(domain=name, repository=r["name"])["repository"]}
                    try:
                        rs["policy"] = c.get_repository_permissions_policy(domain=name, repository=r["name"])["policy"]
                    except c.exceptions.ResourceNotFoundException:
                        rs["policy"] = None
                    rs["tags"] = c.list_tags_for_resource(resourceArn=r["arn"])["tags"]
                    ds["repositories"][r["name"]] = rs
            state[name] = ds
    return state


def expect_error(exc_name, status, op, **kw):
    """Calls an operation that must fail with the modeled exception exc_name,
    then checks that the account's state did not change."""
    before = snapshot()
    exc_class = getattr(c.exceptions, exc_name)
    try:
        getattr(c, op)(**kw)
    except exc_class as e:
        err = e.response.get("Error", {})
        md = e.response.get("ResponseMetadata", {})
        check(err.get("Code") == exc_name, f"{op}{kw}: Error.Code {err.get('Code')}, want {exc_name}", e.response)
        check(err.get("Message"), f"{op}{kw}: empty Error.Message", e.response)
        check(md.get("HTTPStatusCode") == status, f"{op}{kw}: status {md.get('HTTPStatusCode')}, want {status}", e.response)
        check(md.get("RequestId"), f"{op}{kw}: no ResponseMetadata.RequestId", e.response)
        check(md.get("HTTPHeaders", {}).get("x-amzn-errortype", "").split(":")[0] == exc_name,
              f"{op}{kw}: x-amzn-ErrorType header", md.get("HTTPHeaders"))
        after = snapshot()
        check(after == before, f"{op}{kw} failed with {exc_name} but changed the state", before, after)
        calls["errors"] += 1
        return e.response
    except botocore.exceptions.ClientError as e:
        raise Failure(f"{op}{kw}: raised {type(e).__name__} {e.response.get('Error')}, want {exc_name}")
    raise Failure(f"{op}{kw}: succeeded, want {exc_name}")


def aware_hours_ahead(ts, hours, what):
    check(isinstance(ts, datetime.datetime), f"{what}: {ts!r} is not a datetime")
    check(ts.tzinfo is not None and ts.utcoffset() is not None, f"{what}: {ts!r} is not timezone-aware")
    ahead = (ts - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
    check(abs(ahead - hours * 3600) < 120, f"{what}: expires in {ahead:.0f}s, want {hours * 3600:.0f}s")


def http_status(url, token):
    req = urllib.request.Request(url)
    if token is not None:
        req.add_header("Authorization", "Basic " + base64.b64encode(f"aws:{token}".encode()).decode())
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status
    except urllib.error.HTTPError as e:
        return e.code


def main():
    # --- domains ---
    policy_doc = json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": ["codeartifact:DescribeDomain", "codeartifact:GetAuthorizationToken", "sts:GetServiceBearerToken"],
            "Resource": "*",
        }],
    })
    d = call("create_domain", domain="boto-a", tags=[{"key": "team", "value": "core"}])["domain"]
    for k in ("name", "owner", "arn", "status", "createdTime", "encryptionKey", "repositoryCount", "assetSizeBytes"):
        check(k in d, f"create_domain: no {k}", d)
    check(d["arn"] == domain_arn("boto-a") and d["owner"] == ACCOUNT and d["status"] == "Active", "create_domain", d)
    check(d["repositoryCount"] == 0 and d["assetSizeBytes"] == 0, "create_domain: counts", d)
    check(isinstance(d["createdTime"], datetime.datetime) and d["createdTime"].tzinfo is not None,
          "create_domain: createdTime is not an aware datetime", d["createdTime"])
    created_a = d["createdTime"]
    call("create_domain", domain="boto-b")
    call("create_domain", domain="boto-c", encryptionKey="alias/my-key")

    d = call("describe_domain", domain="boto-a", domainOwner=ACCOUNT)["domain"]
    check(d["createdTime"] == created_a and d["status"] == "Active", "describe_domain", d)
    d = call("describe_domain", domain="boto-c")["domain"]
    check(d["encryptionKey"] == f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/my-key", "describe_domain: encryptionKey", d)

    pages = list(c.get_paginator("list_domains").paginate(PaginationConfig={"PageSize": 1}))
    names = [x["name"] for p in pages for x in p["domains"]]
    check(names == ["boto-a", "boto-b", "boto-c"], "list_domains paginator PageSize=1: names", names)
    check(len([p for p in pages if p["domains"]]) == 3, "list_domains paginator PageSize=1: pages", pages)
    first = call("list_domains", maxResults=2)
    check(len(first["domains"]) == 2 and first.get("nextToken"), "list_domains maxResults=2", first)
    rest = call("list_domains", maxResults=2, nextToken=first["nextToken"])
    check([x["name"] for x in rest["domains"]] == ["boto-c"] and "nextToken" not in rest, "list_domains nextToken", rest)

    # Domain permissions policy: put, get, stale revision refused, delete.
    p = call("put_domain_permissions_policy", domain="boto-a", policyDocument=policy_doc)["policy"]
    check(p["resourceArn"] == domain_arn("boto-a") and p["document"] == policy_doc and p["revision"], "put_domain_permissions_policy", p)
    g = call("get_domain_permissions_policy", domain="boto-a")["policy"]
    check(g == p, "get_domain_permissions_policy", g, p)
    expect_error("ConflictException", 409, "put_domain_permissions_policy", domain="boto-a", policyDocument=policy_doc, policyRevision="stale")
    p2 = call("put_domain_permissions_policy", domain="boto-a", policyDocument=policy_doc, policyRevision=p["revision"])["policy"]
    check(p2["revision"] != p["revision"], "a put with the current revision gives a new revision", p, p2)
    dele = call("delete_domain_permissions_policy", domain="boto-a", policyRevision=p2["revision"])["policy"]
    check(dele == p2, "delete_domain_permissions_policy returns the deleted policy", dele, p2)
    expect_error("ResourceNotFoundException", 404, "get_domain_permissions_policy", domain="boto-a")
    expect_error("ValidationException", 400, "put_domain_permissions_policy", domain="boto-a", policyDocument="{not json")

    # --- repositories ---
    r = call("create_repository", domain="boto-a", repository="store", description="upstream store")["repository"]
    for k in ("name", "administratorAccount", "domainName", "domainOwner", "arn", "upstreams", "externalConnections"):
        check(k in r, f"create_repository: no {k}", r)
    check(r["arn"] == repo_arn("boto-a", "store") and r["upstreams"] == [] and r["externalConnections"] == [], "create_repository", r)
    r = call("create_repository", domain="boto-a", repository="app", upstreams=[{"repositoryName": "store"}],
             tags=[{"key": "k", "value": "v"}])["repository"]
    check(r["upstreams"] == [{"repositoryName": "store"}], "create_repository with upstreams", r)
    r = call("describe_repository", domain="boto-a", repository="store")["repository"]
    check(r["description"] == "upstream store", "describe_repository", r)
    r = call("update_repository", domain="boto-a", repository="app", description="the app", upstreams=[])["repository"]
    check(r["description"] == "the app" and r["upstreams"] == [], "update_repository", r)
    r = call("update_repository", domain="boto-a", repository="app", upstreams=[{"repositoryName": "store"}])["repository"]
    check(r["description"] == "the app" and r["upstreams"] == [{"repositoryName": "store"}], "update_repository upstreams only", r)
    check(call("describe_domain", domain="boto-a")["domain"]["repositoryCount"] == 2, "repositoryCount after two creates")
    call("create_repository", domain="boto-b", repository="other")

    repos = call("list_repositories")["repositories"]
    check(sorted((x["domainName"], x["name"]) for x in repos) == [("boto-a", "app"), ("boto-a", "store"), ("boto-b", "other")],
          "list_repositories", repos)
    check(all(x["administratorAccount"] == ACCOUNT and x["domainOwner"] == ACCOUNT for x in repos), "list_repositories owners", repos)
    repos = call("list_repositories", repositoryPrefix="st")["repositories"]
    check([x["name"] for x in repos] == ["store"], "list_repositories repositoryPrefix", repos)
    pages = list(c.get_paginator("list_repositories_in_domain").paginate(domain="boto-a", PaginationConfig={"PageSize": 1}))
    check([x["name"] for p in pages for x in p["repositories"]] == ["app", "store"], "list_repositories_in_domain paginator", pages)
    check(len([p for p in pages if p["repositories"]]) == 2, "list_repositories_in_domain paginator pages", pages)
    repos = call("list_repositories_in_domain", domain="boto-a", administratorAccount=ACCOUNT, repositoryPrefix="ap")["repositories"]
    check([x["name"] for x in repos] == ["app"], "list_repositories_in_domain filters", repos)

    # Repository permissions policy.
    rp = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                                                              "Action": "codeartifact:ReadFromRepository", "Resource": "*"}]})
    p = call("put_repository_permissions_policy", domain="boto-a", repository="app", policyDocument=rp)["policy"]
    check(p["resourceArn"] == repo_arn("boto-a", "app") and p["document"] == rp, "put_repository_permissions_policy", p)
    check(call("get_repository_permissions_policy", domain="boto-a", repository="app")["policy"] == p, "get_repository_permissions_policy")
    expect_error("ConflictException", 409, "delete_repository_permissions_policy", domain="boto-a", repository="app", policyRevision="stale")
    check(call("delete_repository_permissions_policy", domain="boto-a", repository="app")["policy"] == p, "delete_repository_permissions_policy")
    expect_error("ResourceNotFoundException", 404, "get_repository_permissions_policy", domain="boto-a", repository="app")

    # External connections.
    r = call("associate_external_connection", domain="boto-a", repository="store", externalConnection="public:npmjs")["repository"]
    check(r["externalConnections"] == [{"externalConnectionName": "public:npmjs", "packageFormat": "npm", "status": "AVAILABLE"}],
          "associate_external_connection", r)
    expect_error("ConflictException", 409, "associate_external_connection", domain="boto-a", repository="store", externalConnection="public:pypi")
    # "A repository can have an external connection or upstream repositories, but not both."
    expect_error("ConflictException", 409, "associate_external_connection", domain="boto-a", repository="app", externalConnection="public:npmjs")
    expect_error("ConflictException", 409, "update_repository", domain="boto-a", repository="store", upstreams=[{"repositoryName": "app"}])
    expect_error("ValidationException", 400, "associate_external_connection", domain="boto-b", repository="other", externalConnection="public:nope")
    r = call("disassociate_external_connection", domain="boto-a", repository="store", externalConnection="public:npmjs")["repository"]
    check(r["externalConnections"] == [], "disassociate_external_connection", r)
    expect_error("ResourceNotFoundException", 404, "disassociate_external_connection", domain="boto-a", repository="store", externalConnection="public:npmjs")

    # Repository endpoints, for every format of the model: the formats
    # Arca serves from the start answer; a format this server has no
    # endpoints for is refused by name, never handed out.
    for fmt in ("npm", "pypi", "maven", "nuget", "generic", "ruby", "swift", "cargo"):
        try:
            ep = call("get_repository_endpoint", domain="boto-a", domainOwner=ACCOUNT, repository="app", format=fmt)["repositoryEndpoint"]
        except c.exceptions.ValidationException as e:
            check(fmt not in ("npm", "pypi", "maven", "generic"), f"get_repository_endpoint {fmt} refused", str(e))
            check(f"has no {fmt} repository endpoints" in str(e), f"get_repository_endpoint {fmt}: refusal names the format", str(e))
            continue
        check(ep == f"{ENDPOINT}/boto-a-{ACCOUNT}/{fmt}/app/", f"get_repository_endpoint {fmt}", ep)

    # --- authorization tokens ---
    t = call("get_authorization_token", domain="boto-a")
    aware_hours_ahead(t["expiration"], 12, "get_authorization_token")
    check(isinstance(t["authorizationToken"], str) and len(t["authorizationToken"]) > 20, "get_authorization_token: token", t)
    t15 = call("get_authorization_token", domain="boto-a", domainOwner=ACCOUNT, durationSeconds=900)
    aware_hours_ahead(t15["expiration"], 0.25, "get_authorization_token durationSeconds=900")
    t12 = call("get_authorization_token", domain="boto-a", durationSeconds=43200)
    aware_hours_ahead(t12["expiration"], 12, "get_authorization_token durationSeconds=43200")
    pypi = f"{ENDPOINT}/boto-a-{ACCOUNT}/pypi/app/simple/"
    for tok in (t["authorizationToken"], t15["authorizationToken"]):
        check(http_status(pypi, tok) not in (401, 403), "the token does not authenticate on the pypi endpoint", http_status(pypi, tok))
    check(http_status(pypi, None) == 401, "no token: want 401", http_status(pypi, None))
    check(http_status(pypi, t["authorizationToken"][:-2] + "xx") == 401, "a forged token: want 401")
    other = call("get_authorization_token", domain="boto-b")["authorizationToken"]
    check(http_status(pypi, other) == 401, "another domain's token: want 401", http_status(pypi, other))

    # --- tags ---
    arn_a = domain_arn("boto-a")
    call("tag_resource", resourceArn=arn_a, tags=[{"key": "env", "value": "test"}, {"key": "team", "value": "platform"}])
    tags = call("list_tags_for_resource", resourceArn=arn_a)["tags"]
    check(sorted((x["key"], x["value"]) for x in tags) == [("env", "test"), ("team", "platform")], "tag_resource", tags)
    call("untag_resource", resourceArn=arn_a, tagKeys=["env", "absent"])
    tags = call("list_tags_for_resource", resourceArn=arn_a)["tags"]
    check(tags == [{"key": "team", "value": "platform"}], "untag_resource", tags)
    tags = call("list_tags_for_resource", resourceArn=repo_arn("boto-a", "app"))["tags"]
    check(tags == [{"key": "k", "value": "v"}], "create_repository tags", tags)

    # --- modeled errors, each leaving the state unchanged ---
    e = expect_error("ResourceNotFoundException", 404, "describe_domain", domain="no-such-domain")
    check(e.get("resourceId") == "no-such-domain" and e.get("resourceType") == "domain",
          "ResourceNotFoundException: resourceId / resourceType", e)
    expect_error("ResourceNotFoundException", 404, "describe_repository", domain="boto-a", repository="no-such-repo")
    expect_error("ResourceNotFoundException", 404, "create_repository", domain="boto-a", repository="x-app", upstreams=[{"repositoryName": "missing"}])
    expect_error("ResourceNotFoundException", 404, "list_tags_for_resource", resourceArn=domain_arn("no-such-domain"))
    e = expect_error("ConflictException", 409, "delete_domain", domain="boto-a")
    check(e.get("resourceId") == "boto-a" and e.get("resourceType") == "domain", "ConflictException: resourceId / resourceType", e)
    expect_error("ConflictException", 409, "create_domain", domain="boto-a")
    expect_error("ConflictException", 409, "create_repository", domain="boto-a", repository="app")
    expect_error("ConflictException", 409, "delete_repository", domain="boto-a", repository="store")  # app's upstream
    expect_error("ValidationException", 400, "create_domain", domain="My_Domain")
    expect_error("ValidationException", 400, "create_domain", domain="d" * 51)
    expect_error("ValidationException", 400, "create_repository", domain="boto-a", repository="r" * 101)
    expect_error("ValidationException", 400, "get_authorization_token", domain="boto-a", durationSeconds=99999)
    expect_error("ValidationException", 400, "get_authorization_token", domain="boto-a", durationSeconds=899)
    expect_error("ValidationException", 400, "get_repository_endpoint", domain="boto-a", repository="app", format="bogus")
    expect_error("ValidationException", 400, "list_domains", maxResults=1001)
    expect_error("ValidationException", 400, "list_domains", nextToken="forged-next-token")
    expect_error("ValidationException", 400, "update_repository", domain="boto-a", repository="store", upstreams=[{"repositoryName": "app"}])  # a cycle
    e = expect_error("ValidationException", 400, "create_domain", domain="My_Domain")
    check(e.get("reason"), "ValidationException: no reason", e)
    expect_error("ResourceNotFoundException", 404, "list_package_groups", domain="no-such-domain")
    expect_error("AccessDeniedException", 403, "describe_domain", domain="boto-a", domainOwner="999999999999")

    # Quotas: 11 direct upstreams, 51 tags.
    for i in range(11):
        call("create_repository", domain="boto-b", repository=f"up{i:02d}")
    expect_error("ServiceQuotaExceededException", 402, "update_repository", domain="boto-b", repository="other",
                 upstreams=[{"repositoryName": f"up{i:02d}"} for i in range(11)])
    r = call("update_repository", domain="boto-b", repository="other", upstreams=[{"repositoryName": f"up{i:02d}"} for i in range(10)])["repository"]
    check([u["repositoryName"] for u in r["upstreams"]] == [f"up{i:02d}" for i in range(10)], "10 upstreams, in order", r)
    call("tag_resource", resourceArn=domain_arn("boto-b"), tags=[{"key": f"k{i}", "value": "v"} for i in range(50)])
    expect_error("ServiceQuotaExceededException", 402, "tag_resource", resourceArn=domain_arn("boto-b"), tags=[{"key": "one-more", "value": "v"}])

    # --- delete everything ---
    r = call("delete_repository", domain="boto-b", repository="other")["repository"]
    check(r["name"] == "other" and len(r["upstreams"]) == 10, "delete_repository returns the repository", r)
    for i in range(11):
        call("delete_repository", domain="boto-b", repository=f"up{i:02d}")
    call("delete_repository", domain="boto-a", repository="app")
    call("delete_repository", domain="boto-a", repository="store")
    for name in ("boto-a", "boto-b", "boto-c"):
        d = call("delete_domain", domain=name)["domain"]
        check(d["status"] == "Deleted" and d["repositoryCount"] == 0, f"delete_domain {name}", d)
    expect_error("ResourceNotFoundException", 404, "delete_domain", domain="boto-a")
    # A domain created again under the same name does not honour the old
    # domain's tokens.
    call("create_domain", domain="boto-a")
    call("create_repository", domain="boto-a", repository="app")
    check(http_status(pypi, t["authorizationToken"]) == 401, "a token of the domain's previous incarnation: want 401")
    check(http_status(pypi, call("get_authorization_token", domain="boto-a")["authorizationToken"]) == 200, "a fresh token: want 200 (the project list)")
    call("delete_repository", domain="boto-a", repository="app")
    call("delete_domain", domain="boto-a")
    check(snapshot() == {}, "the account is not empty at the end", snapshot())

    print(json.dumps({"ok": True, "calls": calls["ok"], "errors": calls["errors"], "boto3": boto3.__version__}))


if __name__ == "__main__":
    try:
        main()
    except Failure as f:
        print("boto3 scenario failed: " + str(f), file=sys.stderr)
        sys.exit(1)
