package s3blob

// RemoveStaleSpool exposes removeStaleSpool to the tests.
var RemoveStaleSpool = removeStaleSpool
