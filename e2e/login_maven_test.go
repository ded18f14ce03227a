package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/codeartifact"
	"github.com/aws/aws-sdk-go-v2/service/codeartifact/types"
)

// The JVM tools configured by the arca binary itself, against a started
// `arca serve` and offline from any public repository (docs/CLIENTS.md §4.6):
// `arca login --tool maven --mirror` over a settings.xml of the user's,
// then `mvn deploy` and a build and `mvn dependency:get` resolving what
// was deployed; the same through `arca exec --tool maven` with the User
// Guide's settings.xml (the token read from the environment) and no
// login; and Debian's Gradle 4.4.1 resolving from Arca after `arca login
// --tool gradle` (its init script asks arca for the token: none is
// written) and under `arca exec --tool gradle`. Gradle publishing cannot
// be tried with Debian's Gradle (TestGradle says why).

// jvmUser is an arcaUser whose Maven and Gradle read their user files
// from its HOME: Java takes user.home from the password database, not
// from $HOME, so MAVEN_OPTS says it (a user's real HOME is the same).
func jvmUser(t *testing.T, s *server) *arcaUser {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	if err := os.Mkdir(home, 0o700); err != nil {
		t.Fatal(err)
	}
	u := arcaUserAt(s, home)
	u.env = append(u.without("MAVEN_OPTS", "MAVEN_ARGS", "GRADLE_OPTS", "GRADLE_USER_HOME", "JAVA_TOOL_OPTIONS", "CODEARTIFACT_AUTH_TOKEN"),
		"MAVEN_OPTS=-Xmx512m -Duser.home="+home, "GRADLE_USER_HOME="+filepath.Join(home, ".gradle"))
	return u
}

// mavenLocalRepo copies Debian's Maven repository (the plugins mvn needs)
// into a new local repository and returns it.
func mavenLocalRepo(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/share/maven-repo/org/apache/maven/plugins/maven-deploy-plugin"); err != nil {
		t.Fatalf("Debian's Maven plugins are not installed (%v): %s", err, mavenHint)
	}
	repo := filepath.Join(t.TempDir(), "m2repo")
	if err := os.MkdirAll(repo, 0o755); err != nil {
		t.Fatal(err)
	}
	// -L: the repository holds relative symlinks, which a plain copy breaks.
	if out, err := exec.Command("cp", "-rL", "/usr/share/maven-repo/.", repo+"/").CombinedOutput(); err != nil {
		t.Fatalf("cp -rL /usr/share/maven-repo: %v\n%s", err, out)
	}
	return repo
}

// mvnOK runs mvn -B args in dir, through `arca exec --tool maven` when
// viaExec, and requires BUILD SUCCESS.
func mvnOK(t *testing.T, u *arcaUser, dir string, viaExec []string, args ...string) result {
	t.Helper()
	argv := append([]string{tool(t, "mvn"), "-B"}, args...)
	prog := argv[0]
	if viaExec != nil {
		argv = append(append(append([]string{arcaBin, "exec", "--tool", "maven"}, viaExec...), "--"), argv...)
		prog = arcaBin
	}
	r := runProgram(t, u.env, dir, prog, argv[1:]...)
	if r.Code != 0 || !strings.Contains(r.Stdout, "BUILD SUCCESS") {
		t.Fatalf("mvn failed:\n%s", tail(r.String(), 6000))
	}
	return r
}

// mavenVersions lists a Maven package's versions in the fixture's
// repository.
func mavenVersions(t *testing.T, s *server, group, name string) string {
	t.Helper()
	out, err := sdk(s).ListPackageVersions(context.Background(), &codeartifact.ListPackageVersionsInput{
		Domain: aws_("my-domain"), Repository: aws_("my-repo"), Format: types.PackageFormatMaven,
		Namespace: aws_(group), Package: aws_(name),
	})
	if err != nil {
		t.Fatalf("ListPackageVersions %s:%s: %v", group, name, err)
	}
	var vs []string
	for _, v := range out.Versions {
		vs = append(vs, *v.Version)
	}
	sort.Strings(vs)
	return strings.Join(vs, " ")
}

// gradleFetchBuild writes a Gradle build that copies com.example:lib:
// version and its dependencies into libs/, with the repository of the
// User Guide (codeartifactUrl and codeartifactToken project properties)
// unless repos is false (the repository then comes from arca's init
// script, login --mirror).
func gradleFetchBuild(t *testing.T, dir, version string, repos bool) {
	t.Helper()
	repositories := ""
	if repos {
		repositories = `repositories {
    maven {
        url codeartifactUrl
        credentials {
            username 'aws'
            password codeartifactToken
        }
    }
}
`
	}
	writeAt(t, filepath.Join(dir, "settings.gradle"), "rootProject.name = 'gradle-app'\n")
	writeAt(t, filepath.Join(dir, "build.gradle"), `apply plugin: 'java'
`+repositories+`dependencies {
    compile 'com.example:lib:`+version+`'
}
task fetch(type: Copy) {
    from configurations.runtime
    into 'libs'
}
`)
}

// TestArcaLoginMaven: arca login for Maven and Gradle, then mvn deploys
// and mvn and gradle resolve from Arca; the same under arca exec without
// a login.
func TestArcaLoginMaven(t *testing.T) {
	t.Parallel()
	tool(t, "mvn")
	gradle := tool(t, "gradle")
	s := arcaFixture(t)
	ep := endpointOf(s, "maven")
	m2 := mavenLocalRepo(t)
	step := steps(t)
	forget := func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(m2, "com", "example")); err != nil {
			t.Fatal(err)
		}
	}
	libJar := func(version string) string {
		return filepath.Join(m2, "com", "example", "lib", version, "lib-"+version+".jar")
	}

	u := jvmUser(t, s)
	settings := filepath.Join(u.Home, ".m2", "settings.xml")
	var built []byte
	step("login maven --mirror over the user's settings.xml", func(t *testing.T) {
		writeAt(t, settings, `<?xml version="1.0" encoding="UTF-8"?>
<!-- my settings -->
<settings>
  <localRepository>`+m2+`</localRepository>
  <offline>false</offline>
  <mirrors>
    <!-- a mirror of everything from before: arca's must come first -->
    <mirror>
      <id>corp</id>
      <url>http://`+freeAddr(t)+`/maven/</url>
      <mirrorOf>*</mirrorOf>
    </mirror>
  </mirrors>
</settings>
`)
		r := u.arcaOK(t, append(loginArgs(s, "maven"), "--mirror")...)
		if !strings.Contains(r.Stdout, "Successfully configured maven to use repository "+ep) {
			t.Errorf("login output\n%s", r)
		}
		fileMode(t, settings, 0o600)
		got := readFile(t, settings)
		if strings.Index(got, "<id>codeartifact</id>\n      <name>") > strings.Index(got, "<id>corp</id>") {
			t.Errorf("arca's mirror is not the first: Maven uses the first mirror of *\n%s", got)
		}
		for _, w := range []string{"<!-- my settings -->", "<id>corp</id>", "<localRepository>" + m2 + "</localRepository>", "<offline>false</offline>",
			"<id>codeartifact</id>", "<username>aws</username>", "<url>" + ep + "</url>", "<mirrorOf>*</mirrorOf>"} {
			if !strings.Contains(got, w) {
				t.Errorf("settings.xml lacks %q:\n%s", w, got)
			}
		}
		if !arcaTokenRE.MatchString(got[strings.Index(got, "<password>"):]) {
			t.Errorf("settings.xml has no token:\n%s", got)
		}
	})
	step("mvn deploy", func(t *testing.T) {
		lib := mavenProject(t, "com.example", "lib", "1.0.0", ep)
		mvnOK(t, u, lib, nil, "deploy")
		if got := mavenVersions(t, s, "com.example", "lib"); got != "1.0.0" {
			t.Fatalf("com.example:lib versions after mvn deploy: %q", got)
		}
		var err error
		if built, err = os.ReadFile(filepath.Join(lib, "target", "lib-1.0.0.jar")); err != nil {
			t.Fatal(err)
		}
	})
	step("a build resolving the deployed jar, and dependency:get", func(t *testing.T) {
		forget(t)
		app := mavenProject(t, "com.example", "app", "1.0.0", ep, "com.example:lib:1.0.0")
		mvnOK(t, u, app, nil, "package")
		if got, err := os.ReadFile(libJar("1.0.0")); err != nil || !bytes.Equal(got, built) {
			t.Fatalf("the build did not resolve lib-1.0.0.jar from Arca: %v", err)
		}
		forget(t)
		mvnOK(t, u, u.Home, nil, "dependency:get", "-Dartifact=com.example:lib:1.0.0")
		if got, err := os.ReadFile(libJar("1.0.0")); err != nil || !bytes.Equal(got, built) {
			t.Fatalf("dependency:get did not resolve lib-1.0.0.jar from Arca: %v", err)
		}
	})
	step("login gradle, gradle resolves", func(t *testing.T) {
		r := u.arcaOK(t, loginArgs(s, "gradle")...)
		if !strings.Contains(r.Stdout, "no token was written") {
			t.Errorf("login output\n%s", r)
		}
		app := u.dir(t, "gradle-app")
		gradleFetchBuild(t, app, "1.0.0", true)
		if r := u.in(t, app, gradle, "--no-daemon", "--console=plain", "-q", "fetch"); r.Code != 0 {
			t.Fatalf("gradle fetch:\n%s", tail(r.String(), 6000))
		}
		if got, err := os.ReadFile(filepath.Join(app, "libs", "lib-1.0.0.jar")); err != nil || !bytes.Equal(got, built) {
			t.Fatalf("gradle did not resolve lib-1.0.0.jar from Arca: %v", err)
		}
		// The init script holds no token, and neither does anything
		// under HOME but the settings.xml of the Maven login and the
		// token cache.
		tok := cachedToken(t, u.Home)
		for _, f := range tokenFiles(t, u.Home, tok) {
			if f != filepath.Join(".m2", "settings.xml") && !strings.HasPrefix(f, filepath.Join(".cache", "arca", "token-")) {
				t.Errorf("~/%s holds the token", f)
			}
		}
	})

	step("login gradle --mirror, a build with no repository of its own", func(t *testing.T) {
		u.arcaOK(t, append(loginArgs(s, "gradle"), "--mirror")...)
		app := u.dir(t, "gradle-mirror-app")
		gradleFetchBuild(t, app, "1.0.0", false)
		if r := u.in(t, app, gradle, "--no-daemon", "--console=plain", "-q", "fetch"); r.Code != 0 {
			t.Fatalf("gradle fetch:\n%s", tail(r.String(), 6000))
		}
		if got, err := os.ReadFile(filepath.Join(app, "libs", "lib-1.0.0.jar")); err != nil || !bytes.Equal(got, built) {
			t.Fatalf("gradle did not resolve lib-1.0.0.jar from Arca: %v", err)
		}
	})

	// A user who never logs in: the User Guide's settings.xml, with the
	// token and the URL read from the environment arca exec sets.
	v := jvmUser(t, s)
	sel := []string{"--endpoint-url", s.URL, "--domain", "my-domain", "--domain-owner", s.Account, "--repository", "my-repo"}
	// In the test's own directory: the next steps read what it built.
	lib11 := mavenProject(t, "com.example", "lib", "1.1.0", "${env.CODEARTIFACT_REPOSITORY_URL}")
	step("arca exec --tool maven -- mvn deploy", func(t *testing.T) {
		writeAt(t, filepath.Join(v.Home, ".m2", "settings.xml"), `<settings>
  <localRepository>`+m2+`</localRepository>
  <offline>false</offline>
  <servers><server><id>codeartifact</id><username>aws</username><password>${env.CODEARTIFACT_AUTH_TOKEN}</password></server></servers>
  <mirrors><mirror><id>codeartifact</id><url>${env.CODEARTIFACT_REPOSITORY_URL}</url><mirrorOf>*</mirrorOf></mirror></mirrors>
</settings>
`)
		mvnOK(t, v, lib11, sel, "deploy")
		if got := mavenVersions(t, s, "com.example", "lib"); got != "1.0.0 1.1.0" {
			t.Fatalf("com.example:lib versions after mvn deploy: %q", got)
		}
	})
	step("arca exec --tool maven -- mvn dependency:get", func(t *testing.T) {
		forget(t)
		mvnOK(t, v, v.Home, sel, "dependency:get", "-Dartifact=com.example:lib:1.1.0")
		want, err := os.ReadFile(filepath.Join(lib11, "target", "lib-1.1.0.jar"))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(libJar("1.1.0")); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("dependency:get did not resolve lib-1.1.0.jar from Arca: %v", err)
		}
	})
	step("arca exec --tool gradle -- gradle", func(t *testing.T) {
		app := v.dir(t, "gradle-exec-app")
		gradleFetchBuild(t, app, "1.1.0", true)
		argv := append(append(append([]string{"exec", "--tool", "gradle"}, sel...), "--", gradle), "--no-daemon", "--console=plain", "-q", "fetch")
		if r := runProgram(t, v.env, app, arcaBin, argv...); r.Code != 0 {
			t.Fatalf("arca exec gradle fetch:\n%s", tail(r.String(), 6000))
		}
		if _, err := os.Stat(filepath.Join(app, "libs", "lib-1.1.0.jar")); err != nil {
			t.Fatalf("gradle did not resolve lib-1.1.0.jar: %v", err)
		}
	})
	step("no login, no token in a file", func(t *testing.T) {
		if _, err := os.Stat(filepath.Join(v.Home, ".gradle", "init.d")); !os.IsNotExist(err) {
			t.Errorf("exec wrote a Gradle init script (%v)", err)
		}
		noTokenOutsideCache(t, v, m2, lib11)
	})
}
