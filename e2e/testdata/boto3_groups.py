"""The ten package group operations through boto3.

Run by e2e/groups_test.go as

    python3 boto3_groups.py ENDPOINT_URL ACCOUNT

with the root credentials in the environment. It works in its own domain,
asserts as it goes (shapes, paginators, modeled errors, nothing changed
after an error) and prints {"ok": true, ...} at the end.
"""

import json
import sys

import boto3

ENDPOINT, ACCOUNT = sys.argv[1], sys.argv[2]
c = boto3.client("codeartifact", region_name="us-east-1", endpoint_url=ENDPOINT)
D = "boto-groups"
calls = {"ok": 0, "errors": 0}


class Failure(Exception):
    pass


def check(cond, msg, *details):
    if not cond:
        raise Failure(msg + "".join("\n  " + repr(d) for d in details))


def call(op, **kw):
    out = getattr(c, op)(**kw)
    md = out.pop("ResponseMetadata", {})
    check(md.get("HTTPStatusCode") == 200, f"{op}: status {md.get('HTTPStatusCode')}", out)
    calls["ok"] += 1
    return out


def patterns():
    out = []
    for page in c.get_paginator("list_package_groups").paginate(domain=D, PaginationConfig={"PageSize": 2}):
        check(len(page["packageGroups"]) <= 2, "a page larger than its size", page)
        out += [g["pattern"] for g in page["packageGroups"]]
    return out


def expect_error(code, status, op, **kw):
    before = patterns()
    try:
        getattr(c, op)(**kw)
    except c.exceptions.ClientError as e:
        err = e.response["Error"]
        check(err["Code"] == code, f"{op}: error {err['Code']}, want {code}", e.response)
        check(e.response["ResponseMetadata"]["HTTPStatusCode"] == status, f"{op}: status", e.response)
        check(err.get("Message"), f"{op}: no message", e.response)
        check(patterns() == before, f"{op}: the refused call changed the groups")
        calls["errors"] += 1
        return err
    raise Failure(f"{op} {kw}: succeeded, want {code}")


def main():
    call("create_domain", domain=D)
    call("create_repository", domain=D, repository="team")
    root = call("describe_package_group", domain=D, packageGroup="/*")["packageGroup"]
    check(root["arn"] == f"arn:aws:codeartifact:us-east-1:{ACCOUNT}:package-group/{D}/%2a", "root ARN", root)
    check(root["createdTime"].tzinfo is not None, "createdTime is not a timezone-aware datetime", root)
    check({k: v["mode"] for k, v in root["originConfiguration"]["restrictions"].items()} ==
          {"PUBLISH": "ALLOW", "EXTERNAL_UPSTREAM": "ALLOW", "INTERNAL_UPSTREAM": "ALLOW"}, "root modes", root)

    g = call("create_package_group", domain=D, packageGroup="/pypi/*", contactInfo="py@example.com",
             description="Python", tags=[{"key": "k", "value": "v"}])["packageGroup"]
    check(g["parent"]["pattern"] == "/*" and g["description"] == "Python", "created", g)
    for p in ["/pypi//requests$", "/pypi//requests~", "/npm/*", "/npm/s/*"]:
        call("create_package_group", domain=D, packageGroup=p)
    check(patterns() == ["/*", "/npm/*", "/npm/s/*", "/pypi/*", "/pypi//requests$", "/pypi//requests~"], "listing (byte order)", patterns())
    check([x["pattern"] for x in call("list_package_groups", domain=D, prefix="/pypi")["packageGroups"]] ==
          ["/pypi/*", "/pypi//requests$", "/pypi//requests~"], "prefix")
    subs = [x["pattern"] for p in c.get_paginator("list_sub_package_groups").paginate(domain=D, packageGroup="/pypi/*") for x in p["packageGroups"]]
    check(subs == ["/pypi//requests~"], "sub-groups of /pypi/*", subs)
    check(call("describe_package_group", domain=D, packageGroup="/pypi//requests$")["packageGroup"]["parent"]["pattern"] == "/pypi//requests~", "parent")

    expect_error("ConflictException", 409, "create_package_group", domain=D, packageGroup="/npm/*")
    expect_error("ValidationException", 400, "create_package_group", domain=D, packageGroup="/pypi//Requests$")
    expect_error("ValidationException", 400, "create_package_group", domain=D, packageGroup="x" * 521)
    expect_error("ResourceNotFoundException", 404, "describe_package_group", domain=D, packageGroup="/cargo/*")
    expect_error("ResourceNotFoundException", 404, "list_package_groups", domain="no-such-domain")
    expect_error("ValidationException", 400, "list_package_groups", domain=D, maxResults=1001)
    expect_error("ValidationException", 400, "list_package_groups", domain=D, nextToken="forged")
    expect_error("ValidationException", 400, "delete_package_group", domain=D, packageGroup="/*")

    u = call("update_package_group", domain=D, packageGroup="/pypi/*", contactInfo="new@example.com")["packageGroup"]
    check(u["contactInfo"] == "new@example.com" and u["description"] == "Python", "update", u)

    o = call("update_package_group_origin_configuration", domain=D, packageGroup="/pypi/*",
             restrictions={"PUBLISH": "ALLOW_SPECIFIC_REPOSITORIES", "EXTERNAL_UPSTREAM": "BLOCK"},
             addAllowedRepositories=[{"repositoryName": "team", "originRestrictionType": "PUBLISH"}])
    check(o["allowedRepositoryUpdates"] == {"PUBLISH": {"ADDED": ["team"]}}, "allowedRepositoryUpdates", o)
    r = o["packageGroup"]["originConfiguration"]["restrictions"]
    check(r["PUBLISH"]["repositoriesCount"] == 1 and r["EXTERNAL_UPSTREAM"]["mode"] == "BLOCK", "restrictions", r)
    inh = call("describe_package_group", domain=D, packageGroup="/pypi//requests~")["packageGroup"]["originConfiguration"]["restrictions"]["EXTERNAL_UPSTREAM"]
    check(inh["mode"] == "INHERIT" and inh["effectiveMode"] == "BLOCK" and inh["inheritedFrom"]["pattern"] == "/pypi/*", "inherited", inh)
    allowed = [n for p in c.get_paginator("list_allowed_repositories_for_group").paginate(
        domain=D, packageGroup="/pypi/*", originRestrictionType="PUBLISH") for n in p["allowedRepositories"]]
    check(allowed == ["team"], "allowed repositories", allowed)
    o = call("update_package_group_origin_configuration", domain=D, packageGroup="/pypi/*",
             removeAllowedRepositories=[{"repositoryName": "team", "originRestrictionType": "PUBLISH"}])
    check(o["allowedRepositoryUpdates"] == {"PUBLISH": {"REMOVED": ["team"]}}, "removal", o)
    expect_error("ValidationException", 400, "update_package_group_origin_configuration", domain=D, packageGroup="/*",
                 restrictions={"PUBLISH": "INHERIT"})

    a = call("get_associated_package_group", domain=D, format="pypi", package="requests")
    check(a["packageGroup"]["pattern"] == "/pypi//requests$" and a["associationType"] == "STRONG", "requests", a)
    a = call("get_associated_package_group", domain=D, format="pypi", package="Requests")
    check(a["associationType"] == "STRONG", "Requests is looked up in its normal form", a)
    a = call("get_associated_package_group", domain=D, format="npm", namespace="S", package="x")
    check(a["packageGroup"]["pattern"] == "/npm/s/*" and a["associationType"] == "WEAK", "@S/x", a)
    pk = [x for p in c.get_paginator("list_associated_packages").paginate(domain=D, packageGroup="/npm/*") for x in p["packages"]]
    check(pk == [], "no packages yet", pk)
    pk = call("list_associated_packages", domain=D, packageGroup="/cargo/*", preview=True)["packages"]
    check(pk == [], "preview of a new group", pk)
    expect_error("ResourceNotFoundException", 404, "list_associated_packages", domain=D, packageGroup="/cargo/*")

    tags = call("list_tags_for_resource", resourceArn=g["arn"])["tags"]
    check(tags == [{"key": "k", "value": "v"}], "tags", tags)
    d = call("delete_package_group", domain=D, packageGroup="/pypi//requests~")["packageGroup"]
    check(d["pattern"] == "/pypi//requests~", "deleted", d)
    check(call("describe_package_group", domain=D, packageGroup="/pypi//requests$")["packageGroup"]["parent"]["pattern"] == "/pypi/*",
          "children fall to the deleted group's parent")
    print(json.dumps({"ok": True, "calls": calls["ok"], "errors": calls["errors"], "boto3": boto3.__version__}))


try:
    main()
except Failure as e:
    print("FAIL:", e, file=sys.stderr)
    sys.exit(1)
