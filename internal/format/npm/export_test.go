package npm

// CheckTarballWithin is CheckTarball with other bounds, for tests.
var CheckTarballWithin = checkTarball
