"""IAM and STS through boto3.

Run by e2e/iam_test.go as

    python3 boto3_iam.py ENDPOINT_URL ACCOUNT_ID ISSUER_URL TOKENS_JSON

with the root credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
ISSUER_URL is a local OIDC issuer; TOKENS_JSON a file of tokens it minted
("good", "es256": subject system:serviceaccount:ci:builder, audience arca;
"wrongsub": another subject). The script asserts as it goes and exits
non-zero with a message on the first failure; on success it prints one JSON
object summarising what it did.
"""

import datetime
import json
import sys

import boto3
import botocore
from botocore.config import Config

ENDPOINT, ACCOUNT, ISSUER, TOKENS = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
REGION = "us-east-1"
tokens = json.load(open(TOKENS))

iam = boto3.client("iam", region_name=REGION, endpoint_url=ENDPOINT)
sts = boto3.client("sts", region_name=REGION, endpoint_url=ENDPOINT)
ca = boto3.client("codeartifact", region_name=REGION, endpoint_url=ENDPOINT)
calls = {"ok": 0, "errors": 0}


class Failure(Exception):
    pass


def check(cond, msg, *details):
    if not cond:
        raise Failure(msg + "".join("\n  " + repr(d) for d in details))


def call(client, op, **kw):
    out = getattr(client, op)(**kw)
    md = out.get("ResponseMetadata", {})
    check(md.get("HTTPStatusCode") == 200, f"{op}: status {md.get('HTTPStatusCode')}", out)
    check(md.get("RequestId"), f"{op}: no RequestId", md)
    calls["ok"] += 1
    return out


def snapshot():
    """The account's IAM state."""
    state = {"users": {}, "roles": {}}
    for page in iam.get_paginator("list_users").paginate():
        for u in page["Users"]:
            n = u["UserName"]
            state["users"][n] = {
                "user": u,
                "keys": iam.list_access_keys(UserName=n)["AccessKeyMetadata"],
                "policies": {p: iam.get_user_policy(UserName=n, PolicyName=p)["PolicyDocument"]
                             for p in iam.list_user_policies(UserName=n)["PolicyNames"]},
                "attached": iam.list_attached_user_policies(UserName=n)["AttachedPolicies"],
            }
    for page in iam.get_paginator("list_roles").paginate():
        for r in page["Roles"]:
            n = r["RoleName"]
            state["roles"][n] = {
                "role": r,
                "policies": iam.list_role_policies(RoleName=n)["PolicyNames"],
                "attached": iam.list_attached_role_policies(RoleName=n)["AttachedPolicies"],
            }
    state["providers"] = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
    return json.dumps(state, default=str, sort_keys=True)


def expect(client, exc_name, code, op, **kw):
    """Calls op, which must raise the modeled exception exc_name (or, with
    exc_name None, a ClientError with code), and change nothing."""
    before = snapshot()
    try:
        getattr(client, op)(**kw)
    except botocore.exceptions.ClientError as e:
        if exc_name is not None:
            check(isinstance(e, getattr(client.exceptions, exc_name)), f"{op}: {type(e).__name__}, want {exc_name}", e.response)
        err = e.response["Error"]
        check(err["Code"] == code, f"{op}: code {err['Code']}, want {code}", e.response)
        check(err.get("Message"), f"{op}: no message", e.response)
        check(e.response["ResponseMetadata"].get("RequestId"), f"{op}: no RequestId", e.response)
        check(snapshot() == before, f"{op}: the refused call changed IAM's state")
        calls["errors"] += 1
        return err["Message"]
    raise Failure(f"{op}({kw}) succeeded, want {code}")


def aware(t, what):
    check(isinstance(t, datetime.datetime) and t.tzinfo is not None, f"{what} is not a timezone-aware datetime", t)
    return t


now = datetime.datetime.now(datetime.timezone.utc)

# --- users, keys, policies ---

u = call(iam, "create_user", UserName="ci-bot", Path="/bots/")["User"]
check(u["Arn"] == f"arn:aws:iam::{ACCOUNT}:user/bots/ci-bot" and u["Path"] == "/bots/", "create_user", u)
aware(u["CreateDate"], "CreateDate")
check(call(iam, "get_user", UserName="CI-BOT")["User"]["UserName"] == "ci-bot", "get_user ignores case")
for n in ("b-user", "a-user", "c-user"):
    call(iam, "create_user", UserName=n)
names = [x["UserName"] for page in iam.get_paginator("list_users").paginate(PaginationConfig={"PageSize": 1}) for x in page["Users"]]
check(names == ["a-user", "b-user", "c-user", "ci-bot"], "list_users paginated by one", names)
check([x["UserName"] for x in iam.list_users(PathPrefix="/bots/")["Users"]] == ["ci-bot"], "list_users PathPrefix")

key = call(iam, "create_access_key", UserName="ci-bot")["AccessKey"]
check(key["AccessKeyId"].startswith("AKIA") and len(key["SecretAccessKey"]) == 40 and key["Status"] == "Active", "create_access_key", key)

doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "codeartifact:PublishPackageVersion",
                                                "Resource": f"arn:aws:codeartifact:{REGION}:{ACCOUNT}:package/d/r/npm//*"}]}
call(iam, "put_user_policy", UserName="ci-bot", PolicyName="publish", PolicyDocument=json.dumps(doc, indent=2))
got = call(iam, "get_user_policy", UserName="ci-bot", PolicyName="publish")
check(got["PolicyDocument"] == doc, "get_user_policy: the document decodes to the dict put", got)
check(call(iam, "list_user_policies", UserName="ci-bot")["PolicyNames"] == ["publish"], "list_user_policies")
call(iam, "attach_user_policy", UserName="ci-bot", PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess")
pol = call(iam, "get_policy", PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess")["Policy"]
check(pol["AttachmentCount"] == 1 and pol["DefaultVersionId"] == "v1", "get_policy", pol)
ver = call(iam, "get_policy_version", PolicyArn=pol["Arn"], VersionId="v1")["PolicyVersion"]
check(ver["Document"]["Statement"][0]["Action"] == ["codeartifact:*"], "the admin policy as the guide defines it", ver)

expect(iam, "NoSuchEntityException", "NoSuchEntity", "get_user", UserName="nobody")
expect(iam, "EntityAlreadyExistsException", "EntityAlreadyExists", "create_user", UserName="CI-Bot")
expect(iam, "DeleteConflictException", "DeleteConflict", "delete_user", UserName="ci-bot")
expect(iam, "MalformedPolicyDocumentException", "MalformedPolicyDocument", "put_user_policy", UserName="ci-bot",
       PolicyName="bad", PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Principal":"*"}}')
expect(iam, "NoSuchEntityException", "NoSuchEntity", "get_user_policy", UserName="ci-bot", PolicyName="nope")
call(iam, "create_access_key", UserName="ci-bot")
expect(iam, "LimitExceededException", "LimitExceeded", "create_access_key", UserName="ci-bot")
expect(iam, None, "ValidationError", "create_user", UserName="spaces are not allowed")
expect(iam, "NoSuchEntityException", "NoSuchEntity", "detach_user_policy", UserName="ci-bot",
       PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")

# --- the user's own credentials ---

bot = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
bot_sts = boto3.client("sts", region_name=REGION, endpoint_url=ENDPOINT, **bot)
who = call(bot_sts, "get_caller_identity")
check(who["Arn"] == u["Arn"] and who["Account"] == ACCOUNT and who["UserId"] == u["UserId"], "get_caller_identity as the user", who)

# --- a role and its session ---

trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": u["Arn"]}, "Action": "sts:AssumeRole",
                                                  "Condition": {"StringEquals": {"sts:ExternalId": "arca-ext-1"}}}]}
role = call(iam, "create_role", RoleName="publisher", AssumeRolePolicyDocument=json.dumps(trust), Description="publishes",
            MaxSessionDuration=7200)["Role"]
check(role["AssumeRolePolicyDocument"] == trust and role["MaxSessionDuration"] == 7200 and role["Description"] == "publishes", "create_role", role)
check(call(iam, "get_role", RoleName="publisher")["Role"]["RoleId"] == role["RoleId"], "get_role")
expect(bot_sts, None, "AccessDenied", "assume_role", RoleArn=role["Arn"], RoleSessionName="boto")
expect(bot_sts, None, "AccessDenied", "assume_role", RoleArn=role["Arn"], RoleSessionName="boto", ExternalId="wrong-id")
expect(bot_sts, None, "ValidationError", "assume_role", RoleArn=role["Arn"], RoleSessionName="boto", ExternalId="arca-ext-1",
       DurationSeconds=10800)
assumed = call(bot_sts, "assume_role", RoleArn=role["Arn"], RoleSessionName="boto", ExternalId="arca-ext-1", DurationSeconds=900)
creds = assumed["Credentials"]
exp = aware(creds["Expiration"], "Expiration")
check(datetime.timedelta(minutes=14) < exp - now < datetime.timedelta(minutes=16), "a 900-second session", exp)
check(assumed["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{ACCOUNT}:assumed-role/publisher/boto", "AssumedRoleUser", assumed)
session = dict(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"])
s_sts = boto3.client("sts", region_name=REGION, endpoint_url=ENDPOINT, **session)
check(call(s_sts, "get_caller_identity")["UserId"] == role["RoleId"] + ":boto", "the session's UserId")
call(ca, "create_domain", domain="boto-iam")
s_ca = boto3.client("codeartifact", region_name=REGION, endpoint_url=ENDPOINT, **session)
# A role's session may do what the role's policies allow, and no more.
expect(s_ca, "AccessDeniedException", "AccessDeniedException", "get_authorization_token", domain="boto-iam", durationSeconds=0)
call(iam, "attach_role_policy", RoleName="publisher", PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")
tok = call(s_ca, "get_authorization_token", domain="boto-iam", durationSeconds=0)
check(tok["expiration"] == exp, "a token with durationSeconds 0 expires with the session", tok["expiration"], exp)

# Trust policies are documents too.
expect(iam, "MalformedPolicyDocumentException", "MalformedPolicyDocument", "update_assume_role_policy", RoleName="publisher",
       PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"sts:AssumeRole"}}')
expect(iam, "NoSuchEntityException", "NoSuchEntity", "update_assume_role_policy", RoleName="nope",
       PolicyDocument=json.dumps(trust))

# Deactivating the key stops it at once.
call(iam, "update_access_key", UserName="ci-bot", AccessKeyId=key["AccessKeyId"], Status="Inactive")
try:
    bot_sts.get_caller_identity()
    raise Failure("an inactive key still authenticates")
except botocore.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidClientTokenId", "inactive key", e.response)

# --- web identity ---

key_prefix = ISSUER.split("://", 1)[1]
prov = call(iam, "create_open_id_connect_provider", Url=ISSUER, ClientIDList=["arca"])["OpenIDConnectProviderArn"]
check(prov == f"arn:aws:iam::{ACCOUNT}:oidc-provider/{key_prefix}", "provider ARN", prov)
expect(iam, "EntityAlreadyExistsException", "EntityAlreadyExists", "create_open_id_connect_provider", Url=ISSUER, ClientIDList=["x"])
wtrust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": prov},
                                                   "Action": "sts:AssumeRoleWithWebIdentity",
                                                   "Condition": {"StringEquals": {key_prefix + ":sub": "system:serviceaccount:ci:builder",
                                                                                  key_prefix + ":aud": "arca"}}}]}
wrole = call(iam, "create_role", RoleName="k8s-builder", AssumeRolePolicyDocument=json.dumps(wtrust))["Role"]
anon = boto3.client("sts", region_name=REGION, endpoint_url=ENDPOINT, config=Config(signature_version=botocore.UNSIGNED))
for name in ("good", "es256"):
    wi = call(anon, "assume_role_with_web_identity", RoleArn=wrole["Arn"], RoleSessionName="pod-" + name, WebIdentityToken=tokens[name])
    check(wi["SubjectFromWebIdentityToken"] == "system:serviceaccount:ci:builder" and wi["Audience"] == "arca" and wi["Provider"] == ISSUER,
          "assume_role_with_web_identity", wi)
    aware(wi["Credentials"]["Expiration"], "web identity Expiration")
expect(anon, None, "AccessDenied", "assume_role_with_web_identity", RoleArn=wrole["Arn"], RoleSessionName="pod", WebIdentityToken=tokens["wrongsub"])
expect(anon, "InvalidIdentityTokenException", "InvalidIdentityToken", "assume_role_with_web_identity", RoleArn=wrole["Arn"],
       RoleSessionName="pod", WebIdentityToken="abcd.efgh.ijkl")

# --- clean up, in IAM's order ---

for k in iam.list_access_keys(UserName="ci-bot")["AccessKeyMetadata"]:
    call(iam, "delete_access_key", UserName="ci-bot", AccessKeyId=k["AccessKeyId"])
call(iam, "delete_user_policy", UserName="ci-bot", PolicyName="publish")
expect(iam, "DeleteConflictException", "DeleteConflict", "delete_user", UserName="ci-bot")
call(iam, "detach_user_policy", UserName="ci-bot", PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactAdminAccess")
call(iam, "delete_user", UserName="ci-bot")
expect(iam, "DeleteConflictException", "DeleteConflict", "delete_role", RoleName="publisher")
call(iam, "detach_role_policy", RoleName="publisher", PolicyArn="arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess")
call(iam, "delete_role", RoleName="publisher")
call(iam, "delete_open_id_connect_provider", OpenIDConnectProviderArn=prov)
try:
    s_sts.get_caller_identity()
    raise Failure("a session of a deleted role still authenticates")
except botocore.exceptions.ClientError as e:
    check(e.response["Error"]["Code"] == "InvalidClientTokenId", "session of a deleted role", e.response)

print(json.dumps({"ok": True, "calls": calls["ok"], "errors": calls["errors"], "boto3": boto3.__version__}))
