// Package policy is the IAM policy language as Arca enforces it: it parses a
// policy document strictly, validates it for where it is attached, compiles
// it once, and evaluates it per request to Allow, ExplicitDeny or
// ImplicitDeny, naming the statement that decided.
//
// It follows the IAM JSON policy reference
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies.html)
// and the CodeArtifact User Guide's repository and domain policies. It is
// pure: no storage, no clock, no globals, the standard library only. The
// clock in particular is the caller's: aws:CurrentTime and aws:EpochTime
// reach a policy only through Request.Context.
//
// # Invariants
//
//   - Parse rejects, with an errkind.Validation error naming the element,
//     anything it does not understand: an unknown element or condition
//     operator, a duplicate JSON key, a value of the wrong type or shape. A
//     stored policy has therefore always been fully understood.
//   - A *Policy is immutable after Parse, so it is safe for concurrent use
//     and can be cached by the stored document's revision. Evaluate parses
//     nothing from the policy: wildcard patterns are tokenised, numbers,
//     dates and CIDR blocks parsed, principals normalised, all in Parse.
//   - Deny overrides: an applicable Deny statement decides, whatever Allow
//     statements also apply.
//   - Evaluate fails closed. Where a match cannot be decided (a policy
//     variable the request does not supply, a request value that is not a
//     number, date, boolean or IP address where the operator needs one) the
//     match is unknown, unknown propagates through AND, OR and NOT as in
//     three-valued logic, and an unknown statement applies if it is a Deny
//     and does not if it is an Allow.
//
// # Supported
//
//   - Version 2012-10-17 and 2008-10-17 (the default when Version is
//     missing, as in IAM); Id; Statement as one object or an array.
//   - Sid (unique within the document), Effect, Action and NotAction,
//     Resource and NotResource, Principal and NotPrincipal, Condition.
//   - Action: "*" or service:pattern, case-insensitive, * and ? wildcards.
//   - Resource: "*" or an ARN; * and ? wildcards over the whole ARN,
//     case-sensitive, so a * may span colons (IAM lets a * that ends an ARN
//     part expand past it). A resource policy's statement may leave Resource
//     out: it then covers the resource the policy is attached to, and
//     Evaluate treats it as matching every Request.Resource.
//   - Principal: "*", {"AWS": ...} with "*", account ids, account root ARNs,
//     IAM user and role ARNs, assumed-role session ARNs and federated-user
//     ARNs; {"Service": ...}; {"Federated": ...}. An account names every
//     principal of that account and a role names each of its sessions.
//     NotPrincipal (only with Deny, as IAM now requires) exempts a caller
//     only if every identity in its chain is listed: account, then user, or
//     account, role and session, as IAM evaluates it.
//   - Condition operators: StringEquals, StringNotEquals,
//     StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike,
//     StringNotLike, NumericEquals, NumericNotEquals, NumericLessThan,
//     NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals,
//     DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals,
//     DateGreaterThan, DateGreaterThanEquals, Bool, IpAddress, NotIpAddress
//     (IPv4 and IPv6, CIDR blocks or single addresses), ArnEquals, ArnLike,
//     ArnNotEquals, ArnNotLike and Null; the IfExists suffix on all but
//     Null; the ForAnyValue: and ForAllValues: set operators on all but
//     Null. Condition values may be JSON strings, numbers or booleans.
//   - Condition keys are vendor:name, the vendor a service prefix or, for
//     an OIDC identity provider's claims in a role trust policy, the
//     provider's host and path (token.actions.githubusercontent.com:sub).
//   - Condition logic as IAM: operators and keys are ANDed, a key's values
//     ORed (NORed for the Not forms); keys are case-insensitive; values are
//     case-sensitive except for the IgnoreCase operators. A key missing from
//     the request makes a positive operator false and its Not form true
//     (IAM's documented rule, so StringNotEquals on a missing key is true);
//     IfExists makes it true; ForAllValues holds vacuously and ForAnyValue
//     does not. Without a set operator a multivalued key matches when any of
//     its values does.
//   - Policy variables in Version 2012-10-17, in Resource, NotResource and
//     the String and Arn condition values: ${key} and ${key, 'default'},
//     taken from Request.Context, and ${*}, ${?}, ${$} for the literal
//     characters. A variable whose key has no value and no default, or more
//     than one value, makes its pattern unknown (so it fails closed; IAM
//     says only that it does not match).
//     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
//
// # Not supported, and so rejected by Parse
//
//   - The Binary condition operators, CanonicalUser principals (S3 only),
//     and NullIfExists or set operators on Null.
//   - Wildcards inside a principal (IAM rejects them too) and principals in
//     the form of unique ids (AIDA..., AROA...).
//   - Duplicate JSON keys anywhere (IAM silently keeps the last one, which
//     hides half of what the author wrote), empty operator blocks and empty
//     value lists, and documents over MaxSize bytes.
//
// Operator and element names are case-sensitive, as IAM spells them.
//
// # Combining decisions
//
// Evaluate decides one policy. The authorization layer combines the
// decisions of the policies that bear on a request (the caller's identity
// policies, the domain policy, the repository policy) the way IAM does
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// and, across accounts,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html):
//
//  1. If any policy returns ExplicitDeny, the request is denied.
//  2. Otherwise, if the caller is in the resource owner's account, an Allow
//     from either an identity policy or the resource policy suffices.
//  3. Otherwise (cross-account) both must Allow: an identity policy in the
//     caller's account and the resource policy of the resource.
//  4. Anything else is denied (every policy returned ImplicitDeny, or only
//     one side of a cross-account request allowed).
//
// The statement labels Evaluate returns let the caller log or report which
// statement of which policy decided.
package policy
