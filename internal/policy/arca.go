package policy

// Arca's own actions, beyond CodeArtifact's: the service prefix "arca"
// names them in policies ("arca:PutReleaseGate", "arca:*"), and they are
// decided like every other action. "codeartifact:*" does not cover them,
// and "*" does. They are the operations of the release-age gate, on the
// ARN of a package group (ListReleaseGates: of the domain), and those of
// event subscriptions, on the ARN of the domain.
const ArcaService = "arca"

// ArcaActions are the actions Arca's own operations authorize.
var ArcaActions = []string{
	"arca:PutReleaseGate",      // set a group's gate
	"arca:GetReleaseGate",      // read a group's gate and the one it inherits
	"arca:DeleteReleaseGate",   // remove a group's own gate
	"arca:ListReleaseGates",    // list a domain's gates and break-glass entries (domain ARN)
	"arca:AllowHeldVersion",    // break-glass: let a version, or a package, through
	"arca:DisallowHeldVersion", // remove a break-glass entry
	"arca:ListHeldVersions",    // list what the gate holds back of a package

	"arca:CreateEventSubscription", // subscribe a webhook to the domain's package version events
	"arca:ListEventSubscriptions",  // list the caller's account's subscriptions to the domain
	"arca:DeleteEventSubscription", // unsubscribe
	"arca:ListEventDeliveries",     // list a subscription's deliveries, dead letters included
	"arca:RedriveEventDeliveries",  // send a subscription's dead letters again
}
