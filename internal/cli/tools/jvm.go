package tools

import (
	"path/filepath"
	"strings"
)

// Maven and Gradle. Maven repositories take Basic aws:TOKEN; Maven sends
// it preemptively on PUT and after a 401 on GET.

// mavenID is the id of the server (and mirror) arca writes: the one the
// User Guide's settings.xml and POMs use.
const mavenID = "codeartifact"

// settingsPath is Maven's user settings, ~/.m2/settings.xml.
func settingsPath(env Env) string {
	return filepath.Join(env.Home, ".m2", "settings.xml")
}

// MavenSettings sets the server codeartifact (username aws, the token as
// password) in a settings.xml, and with mirror a mirror of "*" pointing at
// the endpoint. Everything else in the file is kept.
func MavenSettings(old []byte, t Target, mirror bool) ([]byte, error) {
	doc := string(old)
	if strings.TrimSpace(doc) == "" {
		doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n</settings>\n"
	}
	server := []string{
		"<server>",
		"  <id>" + mavenID + "</id>",
		"  <username>aws</username>",
		"  <password>" + xmlEscape(t.Token) + "</password>",
		"</server>",
	}
	var err error
	if doc, err = xmlSetListItem(doc, "settings", "servers", "server", false, func(e *xmlNode) bool {
		return e.childText("id") == mavenID
	}, server); err != nil {
		return nil, err
	}
	if mirror {
		m := []string{
			"<mirror>",
			"  <id>" + mavenID + "</id>",
			"  <name>" + xmlEscape(t.Domain+"/"+t.Repository) + "</name>",
			"  <url>" + xmlEscape(t.Endpoint) + "</url>",
			"  <mirrorOf>*</mirrorOf>",
			"</mirror>",
		}
		// First among the mirrors: Maven takes the first whose mirrorOf
		// matches a repository (after one naming it exactly), so a
		// mirror of * from before would otherwise get every request.
		if doc, err = xmlSetListItem(doc, "settings", "mirrors", "mirror", true, func(e *xmlNode) bool {
			return e.childText("id") == mavenID
		}, m); err != nil {
			return nil, err
		}
	}
	return []byte(doc), nil
}

// xmlSetListItem puts item into root/list (creating list when missing):
// in place of the first child named itemName that match accepts, else at
// the end of the list, or with first before the list's first itemName.
func xmlSetListItem(doc, root, list, itemName string, first bool, match func(e *xmlNode) bool, item []string) (string, error) {
	unit := indentUnit(doc)
	roots, err := xmlParse(doc)
	if err != nil {
		return "", err
	}
	if len(roots) == 0 || roots[0].Name != root {
		return "", errNoRoot(root)
	}
	r := roots[0].xmlElement
	lists := roots[0].children(list)
	if len(lists) == 0 {
		block := []string{"<" + list + ">"}
		for _, l := range item {
			block = append(block, "  "+l)
		}
		block = append(block, "</"+list+">")
		return xmlReplaceChild(doc, r, nil, block, unit), nil
	}
	l := lists[0].xmlElement
	items := lists[0].children(itemName)
	for _, e := range items {
		if match(e) {
			return xmlReplaceChild(doc, l, &e.xmlElement, item, unit), nil
		}
	}
	if first && len(items) > 0 {
		return xmlInsertBefore(doc, items[0].xmlElement, item, unit), nil
	}
	return xmlReplaceChild(doc, l, nil, item, unit), nil
}

// xmlInsertBefore inserts block before the element e, at e's
// indentation; e then starts a line of its own.
func xmlInsertBefore(doc string, e xmlElement, block []string, unit string) string {
	indent := lineIndent(doc, e.Start)
	ls := strings.LastIndexByte(doc[:e.Start], '\n') + 1
	if strings.TrimSpace(doc[ls:e.Start]) == "" {
		return doc[:ls] + reindent(block, indent, unit) + doc[ls:]
	}
	return doc[:e.Start] + strings.TrimPrefix(reindent(block, indent, unit), indent) + indent + doc[e.Start:]
}

func mavenTool() *Tool {
	return &Tool{
		Name: "maven", Format: "maven", Programs: []string{"mvn"},
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: settingsPath(env), Secret: true, Edit: func(old []byte) ([]byte, error) {
				return MavenSettings(old, t, t.Mirror)
			}}}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{{Name: "CODEARTIFACT_REPOSITORY_URL", Value: t.Endpoint}}
		},
	}
}

// gradleHome is $GRADLE_USER_HOME, else ~/.gradle.
func gradleHome(env Env) string {
	if d := env.getenv("GRADLE_USER_HOME"); d != "" {
		return d
	}
	return filepath.Join(env.Home, ".gradle")
}

// groovyString quotes s as a Groovy single-quoted string.
func groovyString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`, "$", `\$`).Replace(s) + "'"
}

// GradleInit returns the init script arca writes for Gradle. It asks arca
// for a current token once per build and hands it to build scripts as the
// project property codeartifactToken (and the endpoint as
// codeartifactUrl), the names the User Guide's build scripts use; with
// mirror it also adds the repository to every project and to plugin
// resolution. For an http endpoint it allows the insecure protocol on the
// repository (Gradle 6.2+; older Gradle lacks the property). No token is
// stored.
func GradleInit(t Target, mirror bool) []byte {
	q := make([]string, len(t.Helper))
	for i, a := range t.Helper {
		q[i] = groovyString(a)
	}
	var b strings.Builder
	b.WriteString(`// Written by ` + "`arca login --tool gradle`" + `; arca rewrites it on the next login.
// Every build asks arca for a current authorization token (arca caches it),
// so no token is stored on disk.
def arcaCodeartifactUrl = ` + groovyString(t.Endpoint) + `
def arcaCodeartifactToken = {
    def proc = [` + strings.Join(q, ", ") + `].execute()
    def out = new StringBuilder()
    def err = new StringBuilder()
    proc.waitForProcessOutput(out, err)
    if (proc.exitValue() != 0) {
        throw new GradleException("arca credential failed: " + err.toString().trim())
    }
    return out.toString().trim()
}.memoize()

allprojects {
    ext.codeartifactUrl = arcaCodeartifactUrl
    ext.codeartifactToken = arcaCodeartifactToken()
}
`)
	if strings.HasPrefix(t.Endpoint, "http://") {
		// Gradle 6.2 and later refuse a repository on plain http unless
		// it allows the insecure protocol (Gradle 7 fails the build);
		// older Gradle has no such property, hence the check.
		b.WriteString(`
// The repository is on plain http: let Gradle use it.
def arcaAllowHttp = { repo ->
    def trim = { String u -> u?.replaceAll('/+$', '') }
    if (repo instanceof MavenArtifactRepository && trim(repo.url?.toString()) == trim(arcaCodeartifactUrl) &&
            repo.hasProperty('allowInsecureProtocol')) {
        repo.allowInsecureProtocol = true
    }
}
allprojects {
    repositories.all { repo -> arcaAllowHttp(repo) }
}
`)
	}
	if mirror {
		pluginHTTP := ""
		if strings.HasPrefix(t.Endpoint, "http://") {
			pluginHTTP = "    settings.pluginManagement.repositories.all { repo -> arcaAllowHttp(repo) }\n"
		}
		b.WriteString(`
def arcaRepository = { handler ->
    handler.maven {
        name = 'codeartifact'
        url = arcaCodeartifactUrl
        credentials {
            username = 'aws'
            password = arcaCodeartifactToken()
        }
    }
}
settingsEvaluated { settings ->
    settings.pluginManagement.repositories { arcaRepository(delegate) }
` + pluginHTTP + `}
allprojects {
    repositories { arcaRepository(delegate) }
}
`)
	}
	return []byte(b.String())
}

func gradleTool() *Tool {
	return &Tool{
		Name: "gradle", Format: "maven", Programs: []string{"gradle"}, Helper: true,
		Files: func(env Env, t Target) ([]File, error) {
			return []File{{Path: filepath.Join(gradleHome(env), "init.d", "arca-codeartifact.gradle"), Mode: 0o644, Edit: func([]byte) ([]byte, error) {
				return GradleInit(t, t.Mirror), nil
			}}}, nil
		},
		Vars: func(t Target) []Var {
			return []Var{
				{Name: "ORG_GRADLE_PROJECT_codeartifactUrl", Value: t.Endpoint},
				{Name: "ORG_GRADLE_PROJECT_codeartifactToken", Value: t.Token, Secret: true},
			}
		},
	}
}
