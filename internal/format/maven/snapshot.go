package maven

import "github.com/arcahq/arca/internal/artifact"

// Builds returns the timestamped builds among the files of a SNAPSHOT
// version, with the names of each build's files.
func Builds(artifactID, version string, files []artifact.Asset) map[string][]string {
	out := map[string][]string{}
	for _, a := range files {
		if n, ok := ParseFileName(artifactID, version, a.Name); ok && n.Build != "" {
			out[n.Build] = append(out[n.Build], a.Name)
		}
	}
	return out
}

// LatestBuild returns the build a request for a SNAPSHOT is answered with:
// the newest build that has its POM (Maven uploads the POM after the main
// artifact, so a build without one is still being uploaded), else the
// newest build; "" when the version has no timestamped files.
func LatestBuild(artifactID, version string, files []artifact.Asset) string {
	var newest, newestWithPOM string
	for _, a := range files {
		n, ok := ParseFileName(artifactID, version, a.Name)
		if !ok || n.Build == "" {
			continue
		}
		if newest == "" || CompareBuilds(n.Build, newest) > 0 {
			newest = n.Build
		}
		if n.Extension == "pom" && n.Classifier == "" && (newestWithPOM == "" || CompareBuilds(n.Build, newestWithPOM) > 0) {
			newestWithPOM = n.Build
		}
	}
	if newestWithPOM != "" {
		return newestWithPOM
	}
	return newest
}

// BuildFiles returns the files of one build, for its metadata.
func BuildFiles(artifactID, version, build string, files []artifact.Asset) []BuildFile {
	var out []BuildFile
	for _, a := range files {
		if n, ok := ParseFileName(artifactID, version, a.Name); ok && n.Build == build {
			out = append(out, BuildFile{Name: n})
		}
	}
	return out
}
