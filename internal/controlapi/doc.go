// Package controlapi is the CodeArtifact control plane: the REST-JSON API
// of codeartifact-2018-09-22 that the AWS CLI, boto3 and the AWS SDKs call.
//
// A request's path through this package:
//
//	ServeHTTP   find the operation by method and path in the service model
//	throttle    one of the client address's in-flight slots (package throttle)
//	auth        verify SigV4 (service "codeartifact") -> principal; the body
//	            is bounded at auth.MaxBufferedBody (1 MiB) before anything
//	            buffers it, but for PublishPackageVersion's asset, which
//	            streams to the blob store (at most assets.MaxSize)
//	throttle    the account's quota of the operation, if CodeArtifact sets
//	            one (ThrottlingException, 429, Retry-After); a request that
//	            fails authentication counts against its address's quota;
//	            one of the principal's in-flight slots
//	bind        query string, headers and JSON body -> one value, validated
//	            against the model's shapes, decoded into the handler's input
//	handler     authorize, call the catalog, build the model's output shape
//	respond     JSON with epoch-second timestamps, x-amzn-RequestId
//
// Every error leaves through writeError, the one table that turns errkind
// categories into AWS error types and the model's status codes.
//
// The route table in routes.go serves every operation of the model (a test
// holds it to that); a method and path that name no operation answer
// UnknownOperationException with a 404.
//
// The web console (package console) runs the same operations in the
// process for its sessions' principals: Invoke takes the operation's input
// as one value, validates it against the model as bind does and runs the
// same handler, authorization included; ServeAs serves a streaming
// operation (an asset download) to a principal authenticated by the
// console.
//
// Beside CodeArtifact's operations, Arca's own (the model package merges
// them in: the release-age gate, gate.go; event subscriptions, events.go)
// take the same path; they authorize arca:<Operation>
// (model.Operation.Action), on the ARN of the package group (the gate) or
// the domain (events) they concern.
package controlapi
