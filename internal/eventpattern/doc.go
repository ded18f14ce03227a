// Package eventpattern compiles and matches EventBridge event patterns, the
// JSON filter language of EventBridge rules, so that subscriptions to Arca's
// events are written as users already write them for CodeArtifact's events
// on AWS (Amazon EventBridge User Guide, "Event patterns" and "Content
// filtering in event patterns").
//
// A pattern is a JSON object whose shape follows the event's: a key maps to
// a nested object (matched against the event's object under that key) or to
// an array of values, of which one must match the event's value there. All
// keys must match; keys the pattern does not name are ignored. Where the
// event holds an array, a value matches when it matches one element.
//
// The values of an array are literals (a string, number, boolean or null,
// matched exactly; numbers by value) or one-key filters:
//
//	{"prefix": "s"}                 a string that starts with s
//	{"suffix": "s"}                 a string that ends with s
//	{"equals-ignore-case": "s"}     a string equal to s in any case
//	{"anything-but": v}             anything but the literal v, a list of
//	                                literals, or {"prefix": s} / {"suffix": s}
//	{"numeric": [">", 0, "<=", 5]}  a number within the bounds (=, <, <=, >, >=)
//	{"exists": true}                the field is present (false: absent)
//
// Compile refuses anything else, so a pattern that cannot mean what its
// author thinks fails when it is put rather than never matching.
package eventpattern
