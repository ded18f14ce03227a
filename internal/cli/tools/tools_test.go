package tools

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	tok   = "TOKEN123abc"
	host  = "127.0.0.1:8700"
	owner = "111122223333"
)

func target(format string) Target {
	return Target{
		Endpoint:   "http://" + host + "/my-domain-" + owner + "/" + format + "/my-repo/",
		Domain:     "my-domain",
		Owner:      owner,
		Repository: "my-repo",
		Token:      tok,
		Helper:     []string{"/opt/arca bin/arca", "credential", "--endpoint-url", "http://" + host, "--domain", "my-domain"},
	}
}

// writerCase is one table row: old content in, want out.
type writerCase struct {
	name string
	old  string
	want string // "ERR:text" for an error containing text
	// notTwice marks a result that is not a fixed point (by design).
	notTwice bool
}

// runWriter runs the table for one writer, and checks that every result
// is a fixed point: running the writer again changes nothing.
func runWriter(t *testing.T, cases []writerCase, w func(old []byte) ([]byte, error)) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var old []byte
			if tc.old != "" {
				old = []byte(tc.old)
			}
			got, err := w(old)
			if msg, ok := strings.CutPrefix(tc.want, "ERR:"); ok {
				if err == nil || !strings.Contains(err.Error(), msg) {
					t.Fatalf("err = %v, want one containing %q", err, msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Fatalf("got:\n%s\nwant:\n%s", got, tc.want)
			}
			if tc.notTwice {
				return
			}
			again, err := w(got)
			if err != nil {
				t.Fatal(err)
			}
			if string(again) != string(got) {
				t.Fatalf("not idempotent; second run:\n%s", again)
			}
		})
	}
}

func TestNPMRC(t *testing.T) {
	tg := target("npm")
	nd := "//" + host + "/my-domain-" + owner + "/npm/my-repo/"
	runWriter(t, []writerCase{
		{"new file", "",
			"registry=" + tg.Endpoint + "\n" + nd + ":_authToken=" + tok + "\n" + nd + ":always-auth=true\n", false},
		{"keeps other settings and comments, replaces in place", "; my settings\nregistry=http://old.example/\nsave-exact=true\n# proxy\n" + nd + ":_authToken=OLD\n",
			"; my settings\nregistry=" + tg.Endpoint + "\nsave-exact=true\n# proxy\n" + nd + ":_authToken=" + tok + "\n" + nd + ":always-auth=true\n", false},
		{"spaces around = and duplicates", "registry = http://a/\nregistry=http://b/\nfoo = bar",
			"registry=" + tg.Endpoint + "\nfoo = bar\n" + nd + ":_authToken=" + tok + "\n" + nd + ":always-auth=true\n", false},
		{"other registries' tokens stay", "//other:1/:_authToken=X\n",
			"//other:1/:_authToken=X\nregistry=" + tg.Endpoint + "\n" + nd + ":_authToken=" + tok + "\n" + nd + ":always-auth=true\n", false},
	}, func(old []byte) ([]byte, error) { return NPMRC(old, npmSettings(tg)), nil })

	scoped := tg
	scoped.Namespace = "myscope"
	runWriter(t, []writerCase{
		{"scope keeps the default registry", "registry=http://default.example/\n",
			"registry=http://default.example/\n@myscope:registry=" + tg.Endpoint + "\n" + nd + ":_authToken=" + tok + "\n" + nd + ":always-auth=true\n", false},
	}, func(old []byte) ([]byte, error) { return NPMRC(old, npmSettings(scoped)), nil })
	at := scoped
	at.Namespace = "@myscope"
	if got := registryKey(at.Namespace); got != "@myscope:registry" {
		t.Errorf("registryKey(@myscope) = %q", got)
	}
}

func TestNerfDart(t *testing.T) {
	for in, want := range map[string]string{
		"http://127.0.0.1:8700/d-1/npm/r/": "//127.0.0.1:8700/d-1/npm/r/",
		"https://host/npm/r":               "//host/npm/r/",
		"https://host/a%20b/":              "//host/a%20b/",
	} {
		if got := nerfDart(in); got != want {
			t.Errorf("nerfDart(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPnpmFiles(t *testing.T) {
	tg := target("npm")
	tg.Token = ""
	env := Env{Home: "/home/u", ConfigDir: "/home/u/.config"}
	files, err := pnpmTool().Files(env, tg)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].Mode != 0o700 || files[1].Path != "/home/u/.npmrc" {
		t.Fatalf("files: %+v", files)
	}
	script, _ := files[0].Edit(nil)
	wantScript := "#!/bin/sh\n# Written by `arca login`: prints a current authorization token for a\n# tool that runs its credential helper without arguments.\n" +
		"exec '/opt/arca bin/arca' credential --endpoint-url http://127.0.0.1:8700 --domain my-domain\n"
	if string(script) != wantScript {
		t.Errorf("script:\n%s\nwant:\n%s", script, wantScript)
	}
	npmrc, _ := files[1].Edit([]byte("save-exact=true\n"))
	nd := "//" + host + "/my-domain-" + owner + "/npm/my-repo/"
	want := "save-exact=true\nregistry=" + tg.Endpoint + "\n" + nd + ":tokenHelper=" + files[0].Path + "\n"
	if string(npmrc) != want {
		t.Errorf(".npmrc:\n%s\nwant:\n%s", npmrc, want)
	}
	if strings.Contains(string(npmrc), "_authToken") {
		t.Error("pnpm's .npmrc holds a token")
	}
}

func TestYarnRC(t *testing.T) {
	tg := target("npm")
	ep := tg.Endpoint
	entry := "  \"" + ep + "\":\n    npmAlwaysAuth: true\n    npmAuthToken: \"" + tok + "\"\n"
	runWriter(t, []writerCase{
		{"new file", "", "npmRegistryServer: \"" + ep + "\"\nnpmRegistries:\n" + entry, false},
		{"keeps other settings", "# yarn settings\nnodeLinker: node-modules\nnpmRegistryServer: \"http://old/\"\nenableTelemetry: false\n",
			"# yarn settings\nnodeLinker: node-modules\nnpmRegistryServer: \"" + ep + "\"\nenableTelemetry: false\nnpmRegistries:\n" + entry, false},
		{"other registries stay, ours is replaced", "npmRegistries:\n  \"//other/\":\n    npmAuthToken: X\n  \"" + ep + "\":\n    npmAuthToken: OLD\nnpmRegistryServer: \"" + ep + "\"\n",
			"npmRegistries:\n  \"//other/\":\n    npmAuthToken: X\n" + entry + "npmRegistryServer: \"" + ep + "\"\n", false},
		{"flow style refused", "npmRegistries: {}\n", "ERR:.yarnrc.yml sets npmRegistries", false},
	}, func(old []byte) ([]byte, error) { return YarnRC(old, tg) })
	sc := tg
	sc.Namespace = "myscope"
	runWriter(t, []writerCase{
		{"scope", "", "npmScopes:\n  myscope:\n    npmRegistryServer: \"" + ep + "\"\nnpmRegistries:\n" + entry, false},
	}, func(old []byte) ([]byte, error) { return YarnRC(old, sc) })
}

func TestPipConf(t *testing.T) {
	tg := target("pypi")
	u := "http://aws:" + tok + "@" + host + "/my-domain-" + owner + "/pypi/my-repo/simple/"
	if got := simpleURL(tg); got != u {
		t.Fatalf("simpleURL = %q, want %q", got, u)
	}
	runWriter(t, []writerCase{
		{"new file as pip config set writes it", "", "[global]\nindex-url = " + u + "\n\n", false},
		{"keeps other settings", "[global]\ntimeout = 60\nindex-url = http://old/simple/\n\n[install]\n# comment\nno-cache-dir = true\n",
			"[global]\ntimeout = 60\nindex-url = " + u + "\n\n[install]\n# comment\nno-cache-dir = true\n", false},
		{"adds to global", "[global]\ntimeout = 60\n\n[install]\nuser = true\n",
			"[global]\ntimeout = 60\nindex-url = " + u + "\n\n[install]\nuser = true\n", false},
		{"adds the section", "[install]\nuser = true\n", "[install]\nuser = true\n\n[global]\nindex-url = " + u + "\n", false},
		{"colon separator", "[global]\nindex-url: http://old/\n", "[global]\nindex-url = " + u + "\n", false},
	}, func(old []byte) ([]byte, error) { return PipConf(old, u), nil })
}

func TestPyPIRC(t *testing.T) {
	tg := target("pypi")
	ep := tg.Endpoint
	section := "[codeartifact]\nrepository = " + ep + "\nusername = aws\npassword = " + tok + "\n"
	runWriter(t, []writerCase{
		{"new file as aws codeartifact login writes it", "",
			"[distutils]\nindex-servers = \n\tpypi\n\tcodeartifact\n\n" + section + "\n", false},
		{"adds to index-servers, keeps other sections", "[distutils]\nindex-servers =\n    pypi\n    private\n\n[private]\nrepository = http://private/\n",
			"[distutils]\nindex-servers =\n\tpypi\n\tprivate\n\tcodeartifact\n\n[private]\nrepository = http://private/\n\n" + section, false},
		{"replaces an older login", "[distutils]\nindex-servers =\n\tcodeartifact\n\n[codeartifact]\nrepository: http://old/\nusername: aws\npassword: OLD\n; kept\n",
			"[distutils]\nindex-servers =\n\tcodeartifact\n\n" + section + "; kept\n", false},
		{"no distutils", "[pypi]\nusername = __token__\n",
			"[pypi]\nusername = __token__\n\n[distutils]\nindex-servers =\n\tcodeartifact\n\n" + section, false},
	}, func(old []byte) ([]byte, error) { return PyPIRC(old, ep, tok), nil })
}

func TestUVToml(t *testing.T) {
	tg := target("pypi")
	u := simpleURL(tg)
	pub := "http://aws:" + tok + "@" + host + "/my-domain-" + owner + "/pypi/my-repo/"
	ours := "[[index]]\nname = \"codeartifact\"\nurl = \"" + u + "\"\npublish-url = \"" + pub + "\"\ndefault = true\n"
	runWriter(t, []writerCase{
		{"new file", "", ours, false},
		{"other indexes lose default", "# uv\nnative-tls = true\n\n[[index]]\nname = \"corp\"\nurl = \"http://corp/simple/\"\ndefault = true\n",
			"# uv\nnative-tls = true\n\n[[index]]\nname = \"corp\"\nurl = \"http://corp/simple/\"\ndefault = false\n\n" + ours, false},
		{"replaces ours", "[[index]]\nname = \"codeartifact\"\nurl = \"http://old/\"\nexplicit = true\n\n[pip]\nx = 1\n",
			"[[index]]\nname = \"codeartifact\"\nurl = \"" + u + "\"\nexplicit = true\npublish-url = \"" + pub + "\"\ndefault = true\n\n[pip]\nx = 1\n", false},
		{"inline refused", "index = [{ name = \"x\", url = \"http://x/\" }]\n", "ERR:uv.toml defines [index] inline", false},
	}, func(old []byte) ([]byte, error) { return UVToml(old, tg) })
}

func TestPoetry(t *testing.T) {
	tg := target("pypi")
	runWriter(t, []writerCase{
		{"new", "", "[repositories.codeartifact]\nurl = \"" + tg.Endpoint + "\"\n", false},
		{"keeps", "[virtualenvs]\nin-project = true\n\n[repositories.codeartifact]\nurl = \"http://old/\"\n",
			"[virtualenvs]\nin-project = true\n\n[repositories.codeartifact]\nurl = \"" + tg.Endpoint + "\"\n", false},
		{"dotted keys refused", "repositories.codeartifact.url = \"http://x/\"\n", "ERR:inline or with dotted keys", false},
	}, func(old []byte) ([]byte, error) { return PoetryConfig(old, tg.Endpoint) })
	runWriter(t, []writerCase{
		{"new", "", "[http-basic.codeartifact]\nusername = \"aws\"\npassword = \"" + tok + "\"\n", false},
		{"other credentials stay", "[http-basic.other]\nusername = \"u\"\npassword = \"p\"\n",
			"[http-basic.other]\nusername = \"u\"\npassword = \"p\"\n\n[http-basic.codeartifact]\nusername = \"aws\"\npassword = \"" + tok + "\"\n", false},
	}, func(old []byte) ([]byte, error) { return PoetryAuth(old, tok) })
}

func TestMavenSettings(t *testing.T) {
	tg := target("maven")
	server := "    <server>\n      <id>codeartifact</id>\n      <username>aws</username>\n      <password>" + tok + "</password>\n    </server>\n"
	mirror := "    <mirror>\n      <id>codeartifact</id>\n      <name>my-domain/my-repo</name>\n      <url>" + tg.Endpoint + "</url>\n      <mirrorOf>*</mirrorOf>\n    </mirror>\n"
	runWriter(t, []writerCase{
		{"new file", "", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<settings>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
		{"keeps other servers and comments, replaces ours",
			"<settings>\n  <!-- <servers><server><id>codeartifact</id></server></servers> -->\n  <localRepository>/m2</localRepository>\n  <servers>\n    <server>\n      <id>other</id>\n    </server>\n    <server>\n      <id>codeartifact</id>\n      <password>OLD</password>\n    </server>\n  </servers>\n</settings>\n",
			"<settings>\n  <!-- <servers><server><id>codeartifact</id></server></servers> -->\n  <localRepository>/m2</localRepository>\n  <servers>\n    <server>\n      <id>other</id>\n    </server>\n" + server + "  </servers>\n</settings>\n", false},
		{"self-closing servers", "<settings>\n  <servers/>\n</settings>\n", "<settings>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
		{"namespaced root, tabs", "<?xml version=\"1.0\"?>\n<settings xmlns=\"urn:x\">\n\t<offline>false</offline>\n</settings>\n",
			"<?xml version=\"1.0\"?>\n<settings xmlns=\"urn:x\">\n\t<offline>false</offline>\n\t<servers>\n\t\t<server>\n\t\t\t<id>codeartifact</id>\n\t\t\t<username>aws</username>\n\t\t\t<password>" + tok + "</password>\n\t\t</server>\n\t</servers>\n</settings>\n", false},
		{"no root", "<foo/>\n", "ERR:no <settings> element", false},
		// What a parser sees and a string search would not: a character
		// reference in our id, markup inside CDATA, a servers list
		// nested in another element, a file that is not XML.
		{"our id written with a character reference",
			"<settings>\n  <servers>\n    <server>\n      <id>code&#97;rtifact</id>\n    </server>\n  </servers>\n</settings>\n",
			"<settings>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
		{"markup in CDATA and a nested servers list are not ours",
			"<settings>\n  <profiles><profile><servers><server><id>codeartifact</id></server></servers></profile></profiles>\n  <description><![CDATA[<servers/>]]></description>\n</settings>\n",
			"<settings>\n  <profiles><profile><servers><server><id>codeartifact</id></server></servers></profile></profiles>\n  <description><![CDATA[<servers/>]]></description>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
		{"not well-formed", "<settings>\n  <servers>\n</settings>\n", "ERR:not well-formed XML", false},
	}, func(old []byte) ([]byte, error) { return MavenSettings(old, tg, false) })
	runWriter(t, []writerCase{
		// Maven uses the first mirror of * (after any naming a repository
		// exactly): ours goes before the others, or every request would
		// still go to a mirror of * from before.
		{"mirror before the others", "<settings>\n  <mirrors>\n    <mirror>\n      <id>m</id>\n      <mirrorOf>*</mirrorOf>\n    </mirror>\n  </mirrors>\n</settings>\n",
			"<settings>\n  <mirrors>\n" + mirror + "    <mirror>\n      <id>m</id>\n      <mirrorOf>*</mirrorOf>\n    </mirror>\n  </mirrors>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
		{"mirror on one line", "<settings><mirrors><mirror><id>m</id></mirror></mirrors></settings>\n",
			"<settings><mirrors><mirror>\n  <id>codeartifact</id>\n  <name>my-domain/my-repo</name>\n  <url>" + tg.Endpoint + "</url>\n  <mirrorOf>*</mirrorOf>\n</mirror>\n<mirror><id>m</id></mirror></mirrors>\n  <servers>\n" + server + "  </servers>\n</settings>\n",
			false},
		{"mirror replaced in place", "<settings>\n  <mirrors>\n    <mirror>\n      <id>m</id>\n    </mirror>\n    <mirror>\n      <id>codeartifact</id>\n      <url>http://old/</url>\n    </mirror>\n  </mirrors>\n</settings>\n",
			"<settings>\n  <mirrors>\n    <mirror>\n      <id>m</id>\n    </mirror>\n" + mirror + "  </mirrors>\n  <servers>\n" + server + "  </servers>\n</settings>\n", false},
	}, func(old []byte) ([]byte, error) { return MavenSettings(old, tg, true) })
}

func TestGradleInit(t *testing.T) {
	tg := target("maven")
	got := string(GradleInit(tg, false))
	for _, want := range []string{
		"def arcaCodeartifactUrl = '" + tg.Endpoint + "'",
		"['/opt/arca bin/arca', 'credential', '--endpoint-url', 'http://127.0.0.1:8700', '--domain', 'my-domain'].execute()",
		"ext.codeartifactToken = arcaCodeartifactToken()",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("init script lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, tok) || strings.Contains(got, "repositories {") {
		t.Errorf("init script without mirror holds a token or repositories:\n%s", got)
	}
	// An http endpoint: the repository allows the insecure protocol where
	// Gradle has the property (6.2 and later).
	if !strings.Contains(got, "repositories.all { repo -> arcaAllowHttp(repo) }") || !strings.Contains(got, "repo.hasProperty('allowInsecureProtocol')") {
		t.Errorf("init script for an http endpoint does not allow it:\n%s", got)
	}
	m := string(GradleInit(tg, true))
	if !strings.Contains(m, "settings.pluginManagement.repositories") || !strings.Contains(m, "repositories { arcaRepository(delegate) }") ||
		!strings.Contains(m, "settings.pluginManagement.repositories.all { repo -> arcaAllowHttp(repo) }") {
		t.Errorf("init script with mirror:\n%s", m)
	}
	tls := tg
	tls.Endpoint = "https://arca.example.com/my-domain-111122223333/maven/my-repo/"
	if m := string(GradleInit(tls, true)); strings.Contains(m, "allowInsecureProtocol") || strings.Contains(m, "arcaAllowHttp") {
		t.Errorf("init script for an https endpoint:\n%s", m)
	}
	if q := groovyString(`a'b\c$d`); q != `'a\'b\\c\$d'` {
		t.Errorf("groovyString = %s", q)
	}
}

func TestCargoConfig(t *testing.T) {
	tg := target("cargo")
	cp := `credential-provider = ["/opt/arca bin/arca", "credential", "--endpoint-url", "http://127.0.0.1:8700", "--domain", "my-domain"]`
	reg := "[registries.my-repo]\nindex = \"sparse+" + tg.Endpoint + "\"\n" + cp + "\n"
	runWriter(t, []writerCase{
		{"new file", "", reg, false},
		{"keeps other tables, replaces ours and drops a stored token",
			"# cargo\n[net]\ngit-fetch-with-cli = true\n\n[registries.my-repo]\nindex = \"old\"\ntoken = \"OLD\"\ncredential-provider = [\n  \"cargo:token\",\n]\n\n[registries.other]\nindex = \"x\"\n",
			"# cargo\n[net]\ngit-fetch-with-cli = true\n\n" + reg + "\n[registries.other]\nindex = \"x\"\n", false},
		{"quoted table name", "[registries.\"my-repo\"]\nindex = \"old\"\n", "[registries.\"my-repo\"]\nindex = \"sparse+" + tg.Endpoint + "\"\n" + cp + "\n", false},
		{"inline refused", "[registries]\nmy-repo = { index = \"x\" }\n", "ERR:defines [registries.my-repo] inline", false},
	}, func(old []byte) ([]byte, error) { return CargoConfig(old, tg, false) })
	runWriter(t, []writerCase{
		{"mirror", "[source.crates-io]\nreplace-with = \"vendored\"\n",
			"[source.crates-io]\nreplace-with = \"my-repo\"\n\n" + reg + "\n[registry]\ndefault = \"my-repo\"\n", false},
	}, func(old []byte) ([]byte, error) { return CargoConfig(old, tg, true) })
	dotted := tg
	dotted.Repository = "my.repo"
	if n := CargoRegistryName(dotted); n != "my-repo" {
		t.Errorf("CargoRegistryName(my.repo) = %q", n)
	}
	vars := cargoTool().Vars(tg)
	if vars[1].Name != "CARGO_REGISTRIES_MY_REPO_TOKEN" || vars[1].Value != tok {
		t.Errorf("cargo vars: %+v", vars)
	}
}

func TestNuGetConfig(t *testing.T) {
	tg := target("nuget")
	src := tg.Endpoint + "v3/index.json"
	creds := "    <my-domain_x002F_my-repo>\n      <add key=\"Username\" value=\"aws\" />\n      <add key=\"ClearTextPassword\" value=\"" + tok + "\" />\n    </my-domain_x002F_my-repo>\n"
	runWriter(t, []writerCase{
		{"new file", "", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"my-domain/my-repo\" value=\"" + src + "\" />\n  </packageSources>\n  <packageSourceCredentials>\n" + creds + "  </packageSourceCredentials>\n</configuration>\n", false},
		{"keeps other sources, replaces ours (an encrypted password too)",
			"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"local\" value=\"/pkgs\" />\n    <add key=\"my-domain/my-repo\" value=\"http://old/v3/index.json\" />\n  </packageSources>\n  <packageSourceCredentials>\n    <my-domain_x002F_my-repo>\n      <add key=\"Username\" value=\"aws\" />\n      <add key=\"Password\" value=\"ENCRYPTED\" />\n    </my-domain_x002F_my-repo>\n  </packageSourceCredentials>\n</configuration>\n",
			"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<configuration>\n  <packageSources>\n    <add key=\"local\" value=\"/pkgs\" />\n    <add key=\"my-domain/my-repo\" value=\"" + src + "\" />\n  </packageSources>\n  <packageSourceCredentials>\n" + creds + "  </packageSourceCredentials>\n</configuration>\n", false},
	}, func(old []byte) ([]byte, error) { return NuGetConfig(old, tg) })
	if got := xmlEncodeName("my-domain/my-repo"); got != "my-domain_x002F_my-repo" {
		t.Errorf("xmlEncodeName = %q", got)
	}
}

func TestNetrcAndSwift(t *testing.T) {
	runWriter(t, []writerCase{
		{"new", "", "machine 127.0.0.1 login token password " + tok + "\n", false},
		{"replaces the host's entry only", "machine other login u password p\nmachine 127.0.0.1\n  login token\n  password OLD\ndefault login anonymous password x\n",
			"machine other login u password p\nmachine 127.0.0.1 login token password " + tok + "\ndefault login anonymous password x\n", false},
	}, func(old []byte) ([]byte, error) { return Netrc(old, "127.0.0.1", tok), nil })
	tg := target("swift")
	runWriter(t, []writerCase{
		{"new", "", "{\n  \"authentication\": {\n    \"127.0.0.1\": {\n      \"loginAPIPath\": \"/my-domain-111122223333/swift/my-repo/login\",\n      \"type\": \"token\"\n    }\n  },\n  \"registries\": {\n    \"[default]\": {\n      \"supportsAvailability\": false,\n      \"url\": \"" + tg.Endpoint + "\"\n    }\n  },\n  \"version\": 1\n}\n", false},
		{"keeps other registries", `{"registries":{"other":{"url":"http://x/"}},"version":1,"extra":true}`,
			"{\n  \"authentication\": {\n    \"127.0.0.1\": {\n      \"loginAPIPath\": \"/my-domain-111122223333/swift/my-repo/login\",\n      \"type\": \"token\"\n    }\n  },\n  \"extra\": true,\n  \"registries\": {\n    \"[default]\": {\n      \"supportsAvailability\": false,\n      \"url\": \"" + tg.Endpoint + "\"\n    },\n    \"other\": {\n      \"url\": \"http://x/\"\n    }\n  },\n  \"version\": 1\n}\n", false},
		{"not JSON", "{", "ERR:registries.json", false},
	}, func(old []byte) ([]byte, error) { return SwiftRegistries(old, tg) })
}

func TestRuby(t *testing.T) {
	tg := target("ruby")
	src := "http://aws:" + tok + "@" + host + "/my-domain-" + owner + "/ruby/my-repo/"
	runWriter(t, []writerCase{
		{"new", "", "---\n:sources:\n- " + src + "\n", false},
		{"ours first, old login dropped, others kept", "---\n:backtrace: false\n:sources:\n- http://aws:OLD@" + host + "/my-domain-" + owner + "/ruby/my-repo/\n- http://mirror.internal/\ngem: --no-document\n",
			"---\n:backtrace: false\n:sources:\n- " + src + "\n- http://mirror.internal/\ngem: --no-document\n", false},
	}, func(old []byte) ([]byte, error) { return GemRC(old, tg) })
	// Without :sources:, gem uses its built-in default: it stays, after
	// the repository.
	withDefault := tg
	withDefault.Sources = []string{"https://gems.example.com/", tg.Endpoint}
	runWriter(t, []writerCase{
		{"no file: gem's default kept", "", "---\n:sources:\n- " + src + "\n- https://gems.example.com/\n", false},
		{"no :sources:: gem's default kept", "---\n:verbose: true\n", "---\n:verbose: true\n:sources:\n- " + src + "\n- https://gems.example.com/\n", false},
		{"the file's sources win", "---\n:sources:\n- http://mirror.internal/\n", "---\n:sources:\n- " + src + "\n- http://mirror.internal/\n", false},
	}, func(old []byte) ([]byte, error) { return GemRC(old, withDefault) })
	gem, _ := Lookup("gem")
	files, _ := gem.Files(Env{Home: "/h"}, withDefault)
	if n := files[0].Notes([]byte("---\n:sources:\n- http://u:secret@mirror.internal/\n"), nil); len(n) != 1 || n[0] != "kept the other gem sources, after the repository: http://u:REDACTED@mirror.internal/" {
		t.Errorf("gem notes: %q", n)
	}
	if srcs := ParseSources("*** CURRENT SOURCES ***\n\nhttps://gems.example.com/\n\n"); len(srcs) != 1 || srcs[0] != "https://gems.example.com/" {
		t.Errorf("ParseSources: %q", srcs)
	}
	runWriter(t, []writerCase{
		{"new", "", "---\n\"" + strings.TrimSuffix(tg.Endpoint, "/") + "\": \"Bearer " + tok + "\"\n", false},
		{"keeps other keys", "---\n:rubygems_api_key: abc\n", "---\n:rubygems_api_key: abc\n\"" + strings.TrimSuffix(tg.Endpoint, "/") + "\": \"Bearer " + tok + "\"\n", false},
	}, func(old []byte) ([]byte, error) { return GemCredentials(old, tg) })
	key := "BUNDLE_HTTP://127__0__0__1:8700/MY___DOMAIN___111122223333/RUBY/MY___REPO/"
	runWriter(t, []writerCase{
		{"new", "", "---\n" + key + ": \"aws:" + tok + "\"\n", false},
		{"replaces", "---\nBUNDLE_JOBS: \"4\"\n" + key + ": \"aws:OLD\"\n", "---\nBUNDLE_JOBS: \"4\"\n" + key + ": \"aws:" + tok + "\"\n", false},
	}, func(old []byte) ([]byte, error) { return BundlerConfig(old, tg) })
}

// TestEveryToolHasFilesAndVars checks the registry: every tool writes at
// least one file, holds the token only in Secret files, and tools with a
// credential helper hold no token at all.
func TestEveryToolHasFilesAndVars(t *testing.T) {
	home := t.TempDir()
	env := Env{Home: home, ConfigDir: filepath.Join(home, ".config"), Getenv: func(string) string { return "" }}
	for _, tool := range All() {
		t.Run(tool.Name, func(t *testing.T) {
			tg := target(tool.Format)
			if tool.Helper {
				tg.Token = ""
			}
			files, err := tool.Files(env, tg)
			if err != nil || len(files) == 0 {
				t.Fatalf("files: %v %v", files, err)
			}
			for _, f := range files {
				if !strings.HasPrefix(f.Path, home) {
					t.Errorf("%s is outside HOME", f.Path)
				}
				b, err := f.Edit(nil)
				if err != nil {
					t.Fatal(err)
				}
				if strings.Contains(string(b), tok) && !f.Secret {
					t.Errorf("%s holds the token but is not Secret", f.Path)
				}
				if tool.Helper && strings.Contains(string(b), tok) {
					t.Errorf("%s: a helper tool's file holds the token", f.Path)
				}
			}
			if (tool.Vars == nil) != tool.NPMUserConfig {
				t.Fatalf("Vars %v, NPMUserConfig %v: want exactly one", tool.Vars != nil, tool.NPMUserConfig)
			}
			if tool.Vars == nil {
				return
			}
			for _, v := range tool.Vars(target(tool.Format)) {
				if strings.Contains(v.Value, tok) != v.Secret {
					t.Errorf("var %s: Secret=%v but value %q", v.Name, v.Secret, v.Value)
				}
			}
		})
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "known tools: bundler, cargo") {
		t.Errorf("Lookup(nope) = %v", err)
	}
}

func TestPaths(t *testing.T) {
	env := Env{Home: "/h", Getenv: func(k string) string {
		return map[string]string{"XDG_CONFIG_HOME": "/x", "NPM_CONFIG_USERCONFIG": "/n/rc", "GRADLE_USER_HOME": "/g", "POETRY_CONFIG_DIR": "/p"}[k]
	}}
	for got, want := range map[string]string{
		npmrcPath(env):   "/n/rc",
		pipConfPath(env): "/x/pip/pip.conf",
		uvTomlPath(env):  "/x/uv/uv.toml",
		gradleHome(env):  "/g",
		poetryDir(env):   "/p",
	} {
		if got != want {
			t.Errorf("path %q, want %q", got, want)
		}
	}
	// cargo falls back to the old config name only when it exists.
	ch := t.TempDir()
	e := Env{Home: "/h", Getenv: func(k string) string {
		if k == "CARGO_HOME" {
			return ch
		}
		return ""
	}}
	if p := cargoConfigPath(e); p != filepath.Join(ch, "config.toml") {
		t.Errorf("cargo config %s", p)
	}
	os.WriteFile(filepath.Join(ch, "config"), nil, 0o644)
	if p := cargoConfigPath(e); p != filepath.Join(ch, "config") {
		t.Errorf("cargo config with the old name %s", p)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{"abc": "abc", "a b": "'a b'", "it's": `'it'\''s'`, "": "''", "--x=y": "--x=y"} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestNotes: login says which of the user's settings it replaced.
func TestNotes(t *testing.T) {
	for _, tc := range []struct {
		tool, old, want string
	}{
		{"npm", "registry=https://registry.example.com/\n", "replaced registry https://registry.example.com/ (arca logout --tool npm restores it)"},
		{"npm", "registry=" + target("npm").Endpoint + "\n", ""},
		{"pnpm", "registry=https://registry.example.com/\n", "replaced registry https://registry.example.com/ (arca logout --tool pnpm restores it)"},
		{"pip", "[global]\nindex-url = https://me:pw@mirror.example.com/simple/\n", "replaced index-url https://me:REDACTED@mirror.example.com/simple/ (arca logout --tool pip restores it)"},
		{"uv", "[[index]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\ndefault = true\n", "kept the other indexes; corp is no longer the default (arca logout --tool uv restores it)"},
		{"yarn-berry", "npmRegistryServer: \"https://registry.example.com\"\n", "replaced npmRegistryServer https://registry.example.com (arca logout --tool yarn-berry restores it)"},
	} {
		tool, _ := Lookup(tc.tool)
		files, _ := tool.Files(Env{Home: "/h"}, target(tool.Format))
		var got []string
		for _, f := range files {
			if f.Notes != nil {
				got = append(got, f.Notes([]byte(tc.old), nil)...)
			}
		}
		if strings.Join(got, "|") != tc.want {
			t.Errorf("%s over %q: notes %q, want %q", tc.tool, tc.old, got, tc.want)
		}
	}
}

func TestPoetrySource(t *testing.T) {
	tg := target("pypi")
	src := "[[tool.poetry.source]]\nname = \"codeartifact\"\nurl = \"" + tg.Endpoint + "simple/\"\npriority = \"primary\"\n"
	runWriter(t, []writerCase{
		{"project without sources", "[project]\nname = \"app\"\n", "[project]\nname = \"app\"\n\n" + src, false},
		{"other sources kept", "[project]\nname = \"app\"\n\n[[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\npriority = \"supplemental\"\n",
			"[project]\nname = \"app\"\n\n[[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\npriority = \"supplemental\"\n\n" + src, false},
		{"ours updated in place", "[[tool.poetry.source]]\nname = \"codeartifact\"\nurl = \"http://old/simple/\"\n\n[tool.poetry]\npackage-mode = false\n",
			src + "\n[tool.poetry]\npackage-mode = false\n", false},
		{"inline", "[tool.poetry]\nsource = [{name = \"x\", url = \"http://x/\"}]\n", "ERR:inline", false},
	}, func(old []byte) ([]byte, error) { return PoetrySource(old, tg) })
	if n := poetrySourceNotes([]byte("[[tool.poetry.source]]\nname = \"corp\"\nurl = \"https://corp.example.com/simple/\"\n"), nil); len(n) != 1 || n[0] != "kept the project's other sources: corp" {
		t.Errorf("notes %q", n)
	}
}
