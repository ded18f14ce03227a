package cargo

// Test helpers of package cargo for the scenarios of package cargo_test.
var (
	CrateOf = crate
	FrameOf = frame
)
