// Package audit writes Arca's audit log: one JSON event per control-plane
// call, per IAM or STS call and per package-manager request (successful
// package reads, CloudTrail's data events, only for the repositories
// Config.DataEvents selects: none by default), in the shape
// of the CloudTrail events the User Guide shows ("Logging CodeArtifact API
// calls": eventVersion, userIdentity, eventTime, eventSource, eventName,
// awsRegion, sourceIPAddress, userAgent, requestParameters,
// responseElements, errorCode/errorMessage, requestID, eventID, readOnly,
// eventType, recipientAccountId).
//
// How a request becomes an event: Wrap puts an empty Record in the
// request's context; the surfaces fill it as they learn things (the
// control plane and IAM/STS name the operation, the caller and the
// parameters, as does the web console for the operations it runs and its
// sign-ins, ConsoleLogin; the repository endpoint the domain, repository,
// package and token; the policy evaluator (authz) the permission checked, which names a
// package request's event: ReadFromRepository, PublishPackageVersion,
// PutPackageMetadata; the error edges the error code). After the response,
// Wrap turns the record into one Event and hands it to the Log. A request
// no surface claimed (a health check, a path that is no endpoint) makes no
// event, nor does a successful package read of a repository whose data
// events are not selected (not even built: a package request keeps its
// target as plain strings, made into requestParameters with the event).
//
// The Log writes events from one goroutine through a bounded queue, so a
// slow or full disk never blocks a request: when the queue is full the
// event is dropped, counted, and the drops are logged once a second. The
// file rotates by size and by age (each rotated file is gzipped beside the
// writer), keeping a number of old files, and
// more while they are younger than a retention floor, up to a disk cap.
// Requests that name no caller and fail are summarised per source address
// and minute (Log.Refused), so that strangers cannot flood the log.
//
// Invariants: no event ever holds an authorization token, a secret access
// key, a session token, a web identity token or an Authorization header.
// The Record has no field that could carry one: principals are identified
// by ARN and access key id, tokens by their id, request parameters are
// filtered by name (anything named like a token, secret or password is
// dropped), and response elements are built from explicit allow-lists.
package audit
