// Package iamapi serves the subset of the IAM and STS APIs that Arca
// implements, in their wire format: the AWS query protocol (a form-encoded
// POST to "/", Action=...&Version=..., with XML responses), so that the real
// `aws iam`, `aws sts` and boto3 work against Arca with --endpoint-url.
//
// # Routing
//
// Both services share "POST /" (repository endpoint paths are never
// exactly "/"). A request goes to IAM or STS by the service of its SigV4
// credential scope ("iam" or "sts"); an unsigned request is served only
// for STS's AssumeRoleWithWebIdentity, which takes no credentials, and
// gets MissingAuthenticationToken otherwise.
//
//	IAM (2010-05-08)  CreateUser GetUser ListUsers DeleteUser
//	                  CreateAccessKey ListAccessKeys UpdateAccessKey DeleteAccessKey
//	                  CreateLoginProfile GetLoginProfile UpdateLoginProfile
//	                  DeleteLoginProfile ChangePassword
//	                  PutUserPolicy GetUserPolicy ListUserPolicies DeleteUserPolicy
//	                  AttachUserPolicy DetachUserPolicy ListAttachedUserPolicies
//	                  CreateRole GetRole ListRoles DeleteRole UpdateAssumeRolePolicy
//	                  PutRolePolicy GetRolePolicy ListRolePolicies DeleteRolePolicy
//	                  AttachRolePolicy DetachRolePolicy ListAttachedRolePolicies
//	                  GetPolicy GetPolicyVersion (the AWS managed policies)
//	                  CreateOpenIDConnectProvider GetOpenIDConnectProvider
//	                  ListOpenIDConnectProviders DeleteOpenIDConnectProvider
//	STS (2011-06-15)  GetCallerIdentity AssumeRole AssumeRoleWithWebIdentity
//
// # Authorization
//
// Every IAM operation and AssumeRole's identity side ask the Authorizer for
// the IAM action (iam:CreateUser, sts:AssumeRole, ...) on the resource's
// ARN, before looking at whether the resource exists: package authz
// evaluates the caller's identity policies (an account's root may do
// anything no policy denies it). IAM resources have no resource policies,
// so only principals of the resource's own account can be allowed.
// GetCallerIdentity needs no permission, as in AWS. The trust policies of
// roles are evaluated by package identity.
//
// # Errors
//
// One table (errors.go) turns errkind categories, the Reasons that name
// IAM's and STS's specific codes, and SigV4 failures into the query
// protocol's error document:
//
//	<ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>NoSuchEntity</Code>
//	<Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
//
// Input is validated against the limits and patterns of the IAM and STS
// service models with their "1 validation error detected: ..." messages;
// parameters of features Arca does not implement (tags, permissions
// boundaries, session policies, MFA) are refused rather than ignored.
//
// Passwords (login profiles) are sensitive parameters: a validation
// message never quotes one, and the audit log drops them by name.
//
// Policy documents in responses are URL-encoded, as IAM returns them;
// botocore decodes them (json_decode_policies).
package iamapi
