//go:build !race

package pypi_test

const raceDetector = false
