package maven

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"strings"

	"github.com/arcahq/arca/internal/artifact"
	"github.com/arcahq/arca/internal/errkind"
)

// MaxPOMSize bounds a POM (the largest parent POMs are a few hundred KB).
const MaxPOMSize = 4 << 20

// POM is what Arca reads of a Project Object Model: the coordinates, with
// those the project inherits from its parent filled in, the descriptive
// elements DescribePackageVersion reports, and the direct dependencies.
// Properties (${project.version}, ${my.version} from <properties>) are
// interpolated where they can be; a reference that cannot be resolved
// here (a property of a parent POM) is kept as written.
//
// Spec: https://maven.apache.org/pom.html (4.0.0).
type POM struct {
	GroupID     string
	ArtifactID  string
	Version     string
	Packaging   string // "jar" when the POM says nothing
	Name        string
	Description string
	URL         string
	Parent      *Parent
	Licenses    []artifact.License
	SCM         SCM
	// Dependencies are the direct dependencies, in order; a version left
	// out is taken from the POM's own dependencyManagement when it has it.
	Dependencies []Dependency
}

// Parent is a POM's parent reference.
type Parent struct {
	GroupID    string `json:"groupId"`
	ArtifactID string `json:"artifactId"`
	Version    string `json:"version"`
}

// SCM is a POM's source control element.
type SCM struct {
	URL                 string
	Connection          string
	DeveloperConnection string
}

// Dependency is a direct dependency.
type Dependency struct {
	GroupID    string
	ArtifactID string
	Version    string
	Type       string
	Classifier string
	Scope      string // "" for the default, compile
	Optional   bool
}

type pomXML struct {
	XMLName     xml.Name
	GroupID     string       `xml:"groupId"`
	ArtifactID  string       `xml:"artifactId"`
	Version     string       `xml:"version"`
	Packaging   string       `xml:"packaging"`
	Name        string       `xml:"name"`
	Description string       `xml:"description"`
	URL         string       `xml:"url"`
	Parent      *parentXML   `xml:"parent"`
	Licenses    []licenseXML `xml:"licenses>license"`
	SCM         struct {
		URL                 string `xml:"url"`
		Connection          string `xml:"connection"`
		DeveloperConnection string `xml:"developerConnection"`
	} `xml:"scm"`
	Dependencies         []dependencyXML `xml:"dependencies>dependency"`
	DependencyManagement struct {
		Dependencies []dependencyXML `xml:"dependencies>dependency"`
	} `xml:"dependencyManagement"`
	Properties struct {
		Entries []struct {
			XMLName xml.Name
			Value   string `xml:",chardata"`
		} `xml:",any"`
	} `xml:"properties"`
}

type parentXML struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
}

type licenseXML struct {
	Name string `xml:"name"`
	URL  string `xml:"url"`
}

type dependencyXML struct {
	GroupID    string `xml:"groupId"`
	ArtifactID string `xml:"artifactId"`
	Version    string `xml:"version"`
	Type       string `xml:"type"`
	Classifier string `xml:"classifier"`
	Scope      string `xml:"scope"`
	Optional   string `xml:"optional"`
}

// ParsePOM reads a POM of at most MaxPOMSize bytes. Errors are
// errkind.Validation: the bytes are not XML, the root is not <project>, or
// the project has no artifactId.
func ParsePOM(r io.Reader) (*POM, error) {
	b, err := readAtMost(r, MaxPOMSize, "the POM")
	if err != nil {
		return nil, err
	}
	var x pomXML
	if err := decodeXML(b, &x); err != nil {
		return nil, errkind.Validationf("Invalid POM: %v", err)
	}
	if x.XMLName.Local != "project" {
		return nil, errkind.Validationf("Invalid POM: the root element is <%s>, not <project>", x.XMLName.Local)
	}
	p := &POM{
		GroupID: strings.TrimSpace(x.GroupID), ArtifactID: strings.TrimSpace(x.ArtifactID), Version: strings.TrimSpace(x.Version),
		Packaging: strings.TrimSpace(x.Packaging), Name: collapse(x.Name), Description: collapse(x.Description), URL: strings.TrimSpace(x.URL),
		SCM: SCM{URL: strings.TrimSpace(x.SCM.URL), Connection: strings.TrimSpace(x.SCM.Connection), DeveloperConnection: strings.TrimSpace(x.SCM.DeveloperConnection)},
	}
	if p.ArtifactID == "" {
		return nil, errkind.Validationf("Invalid POM: the project has no artifactId")
	}
	if x.Parent != nil {
		p.Parent = &Parent{GroupID: strings.TrimSpace(x.Parent.GroupID), ArtifactID: strings.TrimSpace(x.Parent.ArtifactID), Version: strings.TrimSpace(x.Parent.Version)}
		// A project inherits its parent's groupId and version when it
		// states none (Maven's model inheritance).
		if p.GroupID == "" {
			p.GroupID = p.Parent.GroupID
		}
		if p.Version == "" {
			p.Version = p.Parent.Version
		}
	}
	if p.Packaging == "" {
		p.Packaging = "jar"
	}
	props := map[string]string{}
	for _, e := range x.Properties.Entries {
		props[e.XMLName.Local] = strings.TrimSpace(e.Value)
	}
	in := interpolator{pom: p, props: props}
	p.GroupID, p.Version = in.expand(p.GroupID), in.expand(p.Version)
	managed := map[string]string{}
	for _, d := range x.DependencyManagement.Dependencies {
		managed[in.expand(strings.TrimSpace(d.GroupID))+":"+in.expand(strings.TrimSpace(d.ArtifactID))] = in.expand(strings.TrimSpace(d.Version))
	}
	for _, l := range x.Licenses {
		name, url := collapse(l.Name), strings.TrimSpace(l.URL)
		if name != "" || url != "" {
			p.Licenses = append(p.Licenses, artifact.License{Name: name, URL: url})
		}
	}
	for _, d := range x.Dependencies {
		dep := Dependency{
			GroupID: in.expand(strings.TrimSpace(d.GroupID)), ArtifactID: in.expand(strings.TrimSpace(d.ArtifactID)),
			Version: in.expand(strings.TrimSpace(d.Version)), Type: strings.TrimSpace(d.Type),
			Classifier: strings.TrimSpace(d.Classifier), Scope: strings.TrimSpace(d.Scope),
			Optional: strings.TrimSpace(d.Optional) == "true",
		}
		if dep.ArtifactID == "" {
			continue
		}
		if dep.Version == "" {
			dep.Version = managed[dep.GroupID+":"+dep.ArtifactID]
		}
		p.Dependencies = append(p.Dependencies, dep)
	}
	return p, nil
}

// interpolator expands ${...} references the POM itself can resolve.
type interpolator struct {
	pom   *POM
	props map[string]string
}

// maxExpanded bounds what a value can grow to by interpolation: a
// property referring to itself several times would double and double.
const maxExpanded = 4 << 10

// expand replaces the references in s, repeatedly (a property may refer
// to another), keeping those it cannot resolve.
func (in interpolator) expand(s string) string {
	for range 8 {
		if !strings.Contains(s, "${") {
			return s
		}
		var b strings.Builder
		rest, changed := s, false
		for {
			i := strings.Index(rest, "${")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			j := strings.IndexByte(rest[i:], '}')
			if j < 0 {
				b.WriteString(rest)
				break
			}
			key := rest[i+2 : i+j]
			b.WriteString(rest[:i])
			if v, ok := in.lookup(key); ok && b.Len()+len(v) <= maxExpanded {
				b.WriteString(v)
				changed = true
			} else {
				b.WriteString(rest[i : i+j+1])
			}
			rest = rest[i+j+1:]
		}
		s = b.String()
		if !changed {
			return s
		}
	}
	return s
}

func (in interpolator) lookup(key string) (string, bool) {
	p := in.pom
	switch key {
	case "project.groupId", "pom.groupId", "groupId":
		return p.GroupID, p.GroupID != "" && !strings.Contains(p.GroupID, "${"+key+"}")
	case "project.artifactId", "pom.artifactId", "artifactId":
		return p.ArtifactID, true
	case "project.version", "pom.version", "version":
		return p.Version, p.Version != "" && !strings.Contains(p.Version, "${"+key+"}")
	case "project.parent.groupId", "parent.groupId":
		if p.Parent != nil && p.Parent.GroupID != "" {
			return p.Parent.GroupID, true
		}
	case "project.parent.version", "parent.version":
		if p.Parent != nil && p.Parent.Version != "" {
			return p.Parent.Version, true
		}
	}
	v, ok := in.props[key]
	return v, ok
}

// Check checks that the POM is the one of path's artifact and version:
// its groupId, artifactId and version (after inheritance and
// interpolation), where they do not depend on a parent's properties.
func (p *POM) Check(path Path) error {
	for _, c := range []struct{ what, got, want string }{
		{"groupId", p.GroupID, path.GroupID},
		{"artifactId", p.ArtifactID, path.ArtifactID},
		{"version", p.Version, path.Version},
	} {
		if c.got != "" && c.got != c.want && !strings.Contains(c.got, "${") {
			return errkind.Validationf("The POM at %s is for %s %s, not %s", path, c.what, c.got, c.want)
		}
	}
	return nil
}

// pomExtra is what a version's Meta.Extra holds for Maven.
type pomExtra struct {
	Packaging string  `json:"packaging,omitempty"`
	Parent    *Parent `json:"parent,omitempty"`
}

// Meta returns the format-neutral metadata of the version the POM
// describes (User Guide, DescribePackageVersion's example for a Maven
// package): the POM's name as the display name (the artifactId without
// one), its description as the summary, its url as the home page, the
// scm url as the source code repository, its licenses, and its direct
// dependencies with their scope as the dependency type.
func (p *POM) Meta() artifact.Meta {
	m := artifact.Meta{
		DisplayName: p.Name, Summary: p.Description, HomePage: p.URL,
		SourceCodeRepository: p.SCM.URL, Licenses: p.Licenses,
	}
	if m.DisplayName == "" {
		m.DisplayName = p.ArtifactID
	}
	for _, d := range p.Dependencies {
		scope := d.Scope
		if scope == "" {
			scope = "compile"
		}
		m.Dependencies = append(m.Dependencies, artifact.Dependency{
			Namespace: d.GroupID, Package: d.ArtifactID, DependencyType: scope, VersionRange: d.Version,
		})
	}
	m.Extra, _ = json.Marshal(pomExtra{Packaging: p.Packaging, Parent: p.Parent})
	return m
}

// PackagingOf returns the packaging recorded in a version's metadata by
// Meta, or "" when none is.
func PackagingOf(m artifact.Meta) string {
	var x pomExtra
	if json.Unmarshal(m.Extra, &x) != nil {
		return ""
	}
	return x.Packaging
}

// MainExtension is the extension of the main artifact of a project with
// the given packaging ("" for a POM-only project).
func MainExtension(packaging string) string {
	switch packaging {
	case "pom":
		return ""
	case "", "jar", "bundle", "maven-plugin", "ejb", "eclipse-plugin", "java-source", "javadoc", "test-jar", "kotlin-multiplatform":
		return "jar"
	}
	return packaging
}
