//go:build race

package pypi_test

// raceDetector is set when the tests run under the race detector, which
// makes streaming tens of megabytes a minute's work.
const raceDetector = true
