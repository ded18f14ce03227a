"""Every package operation Arca serves, through boto3.

Run by e2e/packages_boto3_test.go as

    python3 boto3_packages.py ENDPOINT_URL DOMAIN TARBALL

with the root credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY,
after npm published, in DOMAIN:

    src (upstream: up)  b3-pkg 1.1.0, 2.0.0, then 1.0.0 (TARBALL, tag "first"),
                        b3-other 1.0.0, @b3/scoped 1.0.0
    up                  b3-pkg 3.0.0
    dst                 b3-pkg 1.0.0 (other bytes)

It asserts as it goes, checks after every error that no package operation
can tell a difference, and exits non-zero with a message on the first
failure; on success it prints one JSON object summarising what it did.
"""

import hashlib
import json
import sys

import boto3

ENDPOINT, DOMAIN, TARBALL = sys.argv[1], sys.argv[2], sys.argv[3]
c = boto3.client("codeartifact", region_name="us-east-1", endpoint_url=ENDPOINT)
calls = {"ok": 0, "errors": 0, "codes": set()}
TGZ = open(TARBALL, "rb").read()
BAD_REV = "bm90IGEgcmV2aXNpb24="


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


def hashes(b):
    return {"MD5": hashlib.md5(b).hexdigest(), "SHA-1": hashlib.sha1(b).hexdigest(),
            "SHA-256": hashlib.sha256(b).hexdigest(), "SHA-512": hashlib.sha512(b).hexdigest()}


def state():
    """What the package operations say about the domain."""
    out = {"assetSizeBytes": c.describe_domain(domain=DOMAIN)["domain"]["assetSizeBytes"]}
    for rp in c.get_paginator("list_repositories_in_domain").paginate(domain=DOMAIN):
        for r in rp["repositories"]:
            repo = r["name"]
            pkgs = {}
            for pp in c.get_paginator("list_packages").paginate(domain=DOMAIN, repository=repo):
                for p in pp["packages"]:
                    key = dict(domain=DOMAIN, repository=repo, format=p["format"], package=p["package"])
                    if p.get("namespace"):
                        key["namespace"] = p["namespace"]
                    desc = c.describe_package(**key)["package"]
                    versions = {}
                    display = None
                    for vp in c.get_paginator("list_package_versions").paginate(**key):
                        display = vp.get("defaultDisplayVersion")
                        for v in vp["versions"]:
                            assets = None
                            if v["status"] in ("Published", "Unlisted"):
                                assets = c.list_package_version_assets(packageVersion=v["version"], **key)["assets"]
                            versions[v["version"]] = [v.get("revision"), v["status"], v.get("origin"), assets]
                    pkgs[f"{p['format']}:{p.get('namespace', '')}/{p['package']}"] = [desc, display, versions]
            out[repo] = pkgs
    return out


def fails(exc, op, **kw):
    """Calls an operation that must raise the modeled exception exc; checks
    that nothing changed."""
    before = state()
    try:
        getattr(c, op)(**kw)
    except getattr(c.exceptions, exc) as e:
        check(e.response["Error"]["Code"] == exc, f"{op}: error code", e.response)
        check(e.response["Error"]["Message"], f"{op}: no message", e.response)
    else:
        raise Failure(f"{op}({kw}) did not raise {exc}")
    check(state() == before, f"{op} raising {exc} changed the packages", before, state())
    calls["errors"] += 1
    calls["codes"].add(exc)


def outcome(out):
    ok = sorted(f"{v}:{i['status']}" for v, i in out["successfulVersions"].items())
    failed = sorted(f"{v}:{e['errorCode']}" for v, e in out["failedVersions"].items())
    for e in out["failedVersions"].values():
        check(e.get("errorMessage"), "failedVersions without errorMessage", out)
    return ok, failed


def batch_ok(op, ok, **kw):
    out = call(op, **kw)
    check(outcome(out) == (sorted(ok), []), f"{op}({kw})", out)
    return out


def batch_fails(op, failed, **kw):
    """A batch call that must report exactly these failures and change
    nothing."""
    before = state()
    out = call(op, **kw)
    check(outcome(out) == ([], sorted(failed)), f"{op}({kw}): want failed {failed}", out)
    check(state() == before, f"{op} reporting {failed} changed the packages", before, state())
    calls["codes"].update(f.split(":")[1] for f in failed)


def npm(repo, package, namespace=None, **kw):
    kw.update(domain=DOMAIN, repository=repo, format="npm", package=package)
    if namespace:
        kw["namespace"] = namespace
    return kw


def revision(repo, package, version):
    return call("describe_package_version", **npm(repo, package, packageVersion=version))["packageVersion"]["revision"]


GEN = dict(domain=DOMAIN, repository="src", format="generic", namespace="my-ns", package="my-gen")

# --- PublishPackageVersion (generic) and its assets ---
a, b = b"the first asset\n", b"the second asset, larger\n" * 4000
out = call("publish_package_version", packageVersion="1.0.0", assetName="a.txt", assetContent=a,
           assetSHA256=hashlib.sha256(a).hexdigest(), unfinished=True, **GEN)
check(out["status"] == "Unfinished" and out["asset"] == {"name": "a.txt", "size": len(a), "hashes": hashes(a)}, "publish a.txt", out)
out = call("publish_package_version", packageVersion="1.0.0", assetName="b.bin", assetContent=b,
           assetSHA256=hashlib.sha256(b).hexdigest(), **GEN)
check(out["status"] == "Published" and out["version"] == "1.0.0" and out["namespace"] == "my-ns", "publish b.bin", out)
fails("ValidationException", "publish_package_version", packageVersion="2.0.0", assetName="a.txt", assetContent=a,
      assetSHA256=hashlib.sha256(b).hexdigest(), **GEN)
fails("ConflictException", "publish_package_version", packageVersion="1.0.0", assetName="c.txt", assetContent=b"late\n",
      assetSHA256=hashlib.sha256(b"late\n").hexdigest(), **GEN)
fails("ValidationException", "publish_package_version", domain=DOMAIN, repository="src", format="generic", package="my-gen",
      packageVersion="3.0.0", assetName="a.txt", assetContent=a, assetSHA256=hashlib.sha256(a).hexdigest())
fails("ResourceNotFoundException", "publish_package_version", **dict(GEN, repository="nowhere"), packageVersion="3.0.0",
      assetName="a.txt", assetContent=a, assetSHA256=hashlib.sha256(a).hexdigest())
for name, content in (("a.txt", a), ("b.bin", b)):
    out = call("get_package_version_asset", packageVersion="1.0.0", asset=name, **GEN)
    body = out["asset"].read()
    check(body == content and out["assetName"] == name and out["packageVersion"] == "1.0.0", f"get {name}", len(body))
assets = call("list_package_version_assets", packageVersion="1.0.0", **GEN)["assets"]
check([x["name"] for x in assets] == ["a.txt", "b.bin"], "generic assets", assets)

# --- ListPackages ---
def names(**kw):
    got = []
    for page in c.get_paginator("list_packages").paginate(domain=DOMAIN, repository="src", **kw):
        calls["ok"] += 1
        got += [f"{p['format']}:{p.get('namespace', '')}/{p['package']}" for p in page["packages"]]
    return sorted(got)


ALL = ["generic:my-ns/my-gen", "npm:/b3-other", "npm:/b3-pkg", "npm:b3/scoped"]
check(names() == ALL, "list_packages", names())
check(names(PaginationConfig={"PageSize": 1}) == ALL, "list_packages by pages of 1")
check(names(format="npm") == ALL[1:], "list_packages format=npm", names(format="npm"))
check(names(format="npm", namespace="b3") == ["npm:b3/scoped"], "list_packages namespace=b3")
check(names(packagePrefix="b3-") == ["npm:/b3-other", "npm:/b3-pkg"], "list_packages packagePrefix")
check(names(format="npm", packagePrefix="b3-p") == ["npm:/b3-pkg"], "list_packages format+packagePrefix")
fails("ValidationException", "list_packages", domain=DOMAIN, repository="src", namespace="b3")
fails("ResourceNotFoundException", "list_packages", domain=DOMAIN, repository="nowhere")

# --- DescribePackage ---
p = call("describe_package", **npm("src", "b3-pkg"))["package"]
check(p == {"format": "npm", "name": "b3-pkg", "originConfiguration": {"restrictions": {"publish": "ALLOW", "upstream": "BLOCK"}}}, "describe_package", p)
check(call("describe_package", **npm("src", "scoped", "b3"))["package"]["namespace"] == "b3", "describe_package scoped")
fails("ResourceNotFoundException", "describe_package", **npm("src", "nope"))
fails("ValidationException", "describe_package", domain=DOMAIN, repository="src", format="generic", package="my-gen")

# --- ListPackageVersions ---
out = call("list_package_versions", **npm("src", "b3-pkg"))
check([v["version"] for v in out["versions"]] == ["2.0.0", "1.1.0", "1.0.0"] and out["defaultDisplayVersion"] == "2.0.0", "list_package_versions", out)
check(out["versions"][0]["origin"] == {"originType": "INTERNAL", "domainEntryPoint": {"repositoryName": "src"}}, "origin", out)
out = call("list_package_versions", sortBy="PUBLISHED_TIME", **npm("src", "b3-pkg"))
check([v["version"] for v in out["versions"]] == ["1.0.0", "2.0.0", "1.1.0"], "sortBy PUBLISHED_TIME", out)
pages = list(c.get_paginator("list_package_versions").paginate(PaginationConfig={"PageSize": 1}, status="Published", **npm("src", "b3-pkg")))
check([v["version"] for pg in pages for v in pg["versions"]] == ["2.0.0", "1.1.0", "1.0.0"] and len(pages) >= 3, "paginated versions", pages)
fails("ResourceNotFoundException", "list_package_versions", **npm("src", "nope"))
fails("ValidationException", "list_package_versions", status="Bogus", **npm("src", "b3-pkg"))

# --- DescribePackageVersion, assets, readme, dependencies ---
v = call("describe_package_version", **npm("src", "b3-pkg", packageVersion="1.0.0"))["packageVersion"]
for k, want in {"format": "npm", "packageName": "b3-pkg", "displayName": "b3-pkg", "version": "1.0.0", "status": "Published",
                "summary": "The b3-pkg package, version 1.0.0, from src", "homePage": "https://example.invalid/b3-pkg",
                "sourceCodeRepository": "https://example.invalid/b3-pkg.git", "licenses": [{"name": "MIT"}]}.items():
    check(v.get(k) == want, f"describe_package_version {k}", v)
check(v["publishedTime"].tzinfo is not None and v["revision"], "publishedTime and revision", v)
rev = v["revision"]
fails("ResourceNotFoundException", "describe_package_version", **npm("src", "b3-pkg", packageVersion="3.0.0"))
out = call("list_package_version_assets", **npm("src", "b3-pkg", packageVersion="1.0.0"))
check(out["assets"] == [{"name": "package.tgz", "size": len(TGZ), "hashes": hashes(TGZ)}] and out["versionRevision"] == rev, "npm assets", out)
out = call("get_package_version_asset", asset="package.tgz", packageVersionRevision=rev, **npm("src", "b3-pkg", packageVersion="1.0.0"))
check(out["asset"].read() == TGZ and out["packageVersionRevision"] == rev and out["assetName"] == "package.tgz", "the npm tarball")
fails("ResourceNotFoundException", "get_package_version_asset", asset="package.tgz", packageVersionRevision=BAD_REV, **npm("src", "b3-pkg", packageVersion="1.0.0"))
fails("ResourceNotFoundException", "get_package_version_asset", asset="other.tgz", **npm("src", "b3-pkg", packageVersion="1.0.0"))
out = call("get_package_version_readme", **npm("src", "b3-pkg", packageVersion="1.0.0"))
check(out["readme"] == "# b3-pkg\n\nVersion 1.0.0, published to src.\n" and out["versionRevision"] == rev, "readme", out)
fails("ResourceNotFoundException", "get_package_version_readme", **npm("src", "b3-pkg", packageVersion="9.9.9"))
out = call("list_package_version_dependencies", **npm("src", "b3-pkg", packageVersion="1.0.0"))
deps = sorted(f"{d.get('namespace', '')}/{d['package']} {d['dependencyType']} {d['versionRequirement']}" for d in out["dependencies"])
check(deps == ["/b3-other regular ^1.0.0", "types/node dev ^20.0.0"], "dependencies", out)
fails("ResourceNotFoundException", "list_package_version_dependencies", **npm("src", "b3-pkg", packageVersion="9.9.9"))

# --- UpdatePackageVersionsStatus ---
batch_ok("update_package_versions_status", ["1.1.0:Unlisted"], versions=["1.1.0"], targetStatus="Unlisted", **npm("src", "b3-pkg"))
out = call("list_package_versions", status="Unlisted", **npm("src", "b3-pkg"))
check([v["version"] for v in out["versions"]] == ["1.1.0"], "status=Unlisted", out)
batch_fails("update_package_versions_status", ["1.0.0:SKIPPED", "1.1.0:MISMATCHED_STATUS"], versions=["1.0.0", "1.1.0"],
            targetStatus="Archived", expectedStatus="Published", **npm("src", "b3-pkg"))
batch_fails("update_package_versions_status", ["1.0.0:SKIPPED", "9.9.9:NOT_FOUND"], versions=["1.0.0", "9.9.9"],
            targetStatus="Archived", **npm("src", "b3-pkg"))
batch_fails("update_package_versions_status", ["1.0.0:MISMATCHED_REVISION", "2.0.0:SKIPPED"], versions=["1.0.0", "2.0.0"],
            versionRevisions={"1.0.0": BAD_REV}, targetStatus="Archived", **npm("src", "b3-pkg"))
fails("ValidationException", "update_package_versions_status", versions=["1.0.0"], targetStatus="Unfinished", **npm("src", "b3-pkg"))
fails("ValidationException", "update_package_versions_status", versions=["1.0.0"], targetStatus="Disposed", **npm("src", "b3-pkg"))
fails("ResourceNotFoundException", "update_package_versions_status", versions=["1.0.0"], targetStatus="Archived", **npm("src", "nope"))
batch_ok("update_package_versions_status", ["1.0.0:Archived"], versions=["1.0.0"], versionRevisions={"1.0.0": rev},
         targetStatus="Archived", **npm("src", "b3-pkg"))
fails("ConflictException", "get_package_version_asset", asset="package.tgz", **npm("src", "b3-pkg", packageVersion="1.0.0"))
batch_ok("update_package_versions_status", ["1.0.0:Published"], versions=["1.0.0"], expectedStatus="Archived",
         targetStatus="Published", **npm("src", "b3-pkg"))

# --- DisposePackageVersions ---
size = call("list_package_version_assets", **npm("src", "b3-other", packageVersion="1.0.0"))["assets"][0]["size"]
batch_fails("dispose_package_versions", ["1.0.0:MISMATCHED_STATUS"], versions=["1.0.0"], expectedStatus="Unlisted", **npm("src", "b3-other"))
before = c.describe_domain(domain=DOMAIN)["domain"]["assetSizeBytes"]
batch_ok("dispose_package_versions", ["1.0.0:Disposed"], versions=["1.0.0"], expectedStatus="Published", **npm("src", "b3-other"))
after = c.describe_domain(domain=DOMAIN)["domain"]["assetSizeBytes"]
check(after == before - size, "assetSizeBytes after dispose", before, after, size)
fails("ConflictException", "get_package_version_asset", asset="package.tgz", **npm("src", "b3-other", packageVersion="1.0.0"))
batch_fails("update_package_versions_status", ["1.0.0:NOT_ALLOWED"], versions=["1.0.0"], targetStatus="Published", **npm("src", "b3-other"))
batch_fails("copy_package_versions", ["1.0.0:NOT_ALLOWED"], domain=DOMAIN, sourceRepository="src", destinationRepository="dst",
            format="npm", package="b3-other", versions=["1.0.0"])

# --- DeletePackageVersions ---
batch_fails("delete_package_versions", ["1.0.0:SKIPPED", "9.9.9:NOT_FOUND"], versions=["1.0.0", "9.9.9"], **npm("src", "b3-other"))
fails("ResourceNotFoundException", "delete_package_versions", versions=["1.0.0"], **npm("src", "nope"))
batch_ok("delete_package_versions", ["1.0.0:Deleted"], versions=["1.0.0"], expectedStatus="Disposed", **npm("src", "b3-other"))
fails("ResourceNotFoundException", "describe_package_version", **npm("src", "b3-other", packageVersion="1.0.0"))

# --- PutPackageOriginConfiguration ---
out = call("put_package_origin_configuration", restrictions={"publish": "ALLOW", "upstream": "ALLOW"}, **npm("src", "b3-pkg"))
check(out["originConfiguration"] == {"restrictions": {"publish": "ALLOW", "upstream": "ALLOW"}}, "put_package_origin_configuration", out)
check(call("describe_package", **npm("src", "b3-pkg"))["package"]["originConfiguration"] == out["originConfiguration"], "origin configuration kept")
fails("ValidationException", "put_package_origin_configuration", restrictions={"publish": "MAYBE", "upstream": "ALLOW"}, **npm("src", "b3-pkg"))
fails("ResourceNotFoundException", "put_package_origin_configuration", restrictions={"publish": "ALLOW", "upstream": "ALLOW"}, **npm("nowhere", "b3-pkg"))

# --- CopyPackageVersions ---
CP = dict(domain=DOMAIN, sourceRepository="src", destinationRepository="dst", format="npm", package="b3-pkg")
rev110, rev200 = revision("src", "b3-pkg", "1.1.0"), revision("src", "b3-pkg", "2.0.0")
fails("ValidationException", "copy_package_versions", versions=["2.0.0"], versionRevisions={"2.0.0": rev200}, **CP)
fails("ValidationException", "copy_package_versions", **CP)
fails("ResourceNotFoundException", "copy_package_versions", versions=["2.0.0"], **dict(CP, destinationRepository="nowhere"))
fails("ResourceNotFoundException", "copy_package_versions", versions=["1.0.0"], **dict(CP, package="nope"))
batch_fails("copy_package_versions", ["2.0.0:SKIPPED", "9.9.9:NOT_FOUND"], versions=["2.0.0", "9.9.9"], **CP)
batch_fails("copy_package_versions", ["1.0.0:ALREADY_EXISTS", "2.0.0:SKIPPED"], versions=["1.0.0", "2.0.0"], **CP)
batch_fails("copy_package_versions", ["2.0.0:MISMATCHED_REVISION"], versionRevisions={"2.0.0": BAD_REV}, **CP)
batch_fails("copy_package_versions", ["3.0.0:NOT_FOUND"], versions=["3.0.0"], **CP)
out = batch_ok("copy_package_versions", ["1.0.0:Published", "2.0.0:Published"], versions=["1.0.0", "2.0.0"], allowOverwrite=True, **CP)
check(out["successfulVersions"]["2.0.0"] == {"revision": rev200, "status": "Published"}, "copied revision", out)
got = call("get_package_version_asset", asset="package.tgz", **npm("dst", "b3-pkg", packageVersion="1.0.0"))["asset"].read()
check(got == TGZ, "dst's 1.0.0 after allowOverwrite is src's tarball")
batch_ok("copy_package_versions", [], versions=["1.0.0", "2.0.0"], **CP)
batch_ok("copy_package_versions", ["1.1.0:Unlisted"], versionRevisions={"1.1.0": rev110}, **CP)
batch_ok("copy_package_versions", ["3.0.0:Published"], versions=["3.0.0"], includeFromUpstream=True, **CP)
out = call("list_package_versions", **npm("dst", "b3-pkg"))
check([f"{v['version']}:{v['status']}" for v in out["versions"]] == ["3.0.0:Published", "2.0.0:Published", "1.1.0:Unlisted", "1.0.0:Published"], "dst versions", out)

# --- DeletePackage ---
out = call("delete_package", **npm("src", "scoped", "b3"))
check(out["deletedPackage"]["format"] == "npm" and out["deletedPackage"]["namespace"] == "b3" and out["deletedPackage"]["package"] == "scoped", "delete_package", out)
fails("ResourceNotFoundException", "describe_package", **npm("src", "scoped", "b3"))
fails("ResourceNotFoundException", "delete_package", **npm("src", "scoped", "b3"))
fails("ValidationException", "delete_package", domain=DOMAIN, repository="src", format="generic", package="my-gen")
call("delete_package", **GEN)
check(names() == ["npm:/b3-other", "npm:/b3-pkg"], "list_packages after the deletions", names())

want_codes = {"ValidationException", "ResourceNotFoundException", "ConflictException",
              "NOT_FOUND", "ALREADY_EXISTS", "SKIPPED", "MISMATCHED_REVISION", "MISMATCHED_STATUS", "NOT_ALLOWED"}
check(calls["codes"] == want_codes, "error codes exercised", sorted(calls["codes"]))
print(json.dumps({"ok": True, "calls": calls["ok"], "errors": calls["errors"], "codes": sorted(calls["codes"]), "boto3": boto3.__version__}))
