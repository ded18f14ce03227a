package undo

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestRevertRestoresTheFileBeforeLogin(t *testing.T) {
	for _, tc := range []struct{ name, old, new string }{
		{"new file", "", "registry=http://arca/\n//arca/:_authToken=TOKEN\n"},
		{"added at the end", "color=false\n", "color=false\nregistry=http://arca/\n"},
		{"replaced in the middle", "a=1\nregistry=http://corp/\nb=2\n", "a=1\nregistry=http://arca/\nb=2\n"},
		{"no final newline", "a=1\nb=2", "a=1\nb=2\nregistry=http://arca/\n"},
		{"removed a line", ":sources:\n- http://arca/\n- http://arca/\n- http://other/\n", ":sources:\n- http://arca/\n- http://other/\n"},
		{"several hunks", "[x]\nk = 1\n\n[y]\nj = 2\n", "[x]\nk = 9\nnew = 1\n\n[y]\nj = 2\n\n[z]\nv = 3\n"},
		{"duplicate lines", "x\nx\nx\n", "x\ny\nx\nx\ny\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var old []byte
			if tc.old != "" {
				old = []byte(tc.old)
			}
			got, missed := Revert([]byte(tc.new), Diff(old, []byte(tc.new)))
			if string(got) != tc.old || missed != 0 {
				t.Errorf("reverted to %q (%d missed), want %q", got, missed, tc.old)
			}
		})
	}
}

func TestRevertKeepsTheUsersEdits(t *testing.T) {
	old := "a=1\nregistry=http://corp/\n"
	login := "a=1\nregistry=http://arca/\n//arca/:_authToken=TOKEN\n"
	edited := "# mine\na=2\nregistry=http://arca/\n//arca/:_authToken=TOKEN\nb=3\n"
	got, missed := Revert([]byte(edited), Diff([]byte(old), []byte(login)))
	if want := "# mine\na=2\nregistry=http://corp/\nb=3\n"; string(got) != want || missed != 0 {
		t.Errorf("got %q (%d missed), want %q", got, missed, want)
	}
	// Lines login wrote that the user changed are left alone.
	changed := "a=1\nregistry=http://mine/\n//arca/:_authToken=TOKEN\n"
	got, missed = Revert([]byte(changed), Diff([]byte(old), []byte(login)))
	if want := "a=1\nregistry=http://mine/\n"; string(got) != want || missed != 1 {
		t.Errorf("got %q (%d missed), want %q and 1 missed", got, missed, want)
	}
}

func TestRecordsHoldNoSecret(t *testing.T) {
	old := "registry=http://corp/\n//arca/:_authToken=OLDTOKEN\nindex-url = https://aws:OLDPASS@host/simple/\n"
	new := "registry=http://arca/\n//arca/:_authToken=NEWTOKEN\nindex-url = https://aws:NEWPASS@host/simple/\n"
	r := Next(nil, "/home/u/.npmrc", []byte(old), []byte(new), 0o644, nil)
	b, _ := json.Marshal(r)
	for _, s := range []string{"OLDTOKEN", "NEWTOKEN", "OLDPASS", "NEWPASS"} {
		if strings.Contains(string(b), s) {
			t.Errorf("the record holds %s: %s", s, b)
		}
	}
	got, _ := Revert([]byte(new), r.Hunks)
	if want := "registry=http://corp/\n"; string(got) != want {
		t.Errorf("reverted to %q, want %q (the credentials dropped)", got, want)
	}
	for _, l := range []string{"password = x", "//h/:_authToken=x", `token = "x"`, "machine h login token password x", "url = \"http://aws:x@h/\"", strings.Repeat("Ab1_", 20)} {
		if !Secret(l) {
			t.Errorf("Secret(%q) = false", l)
		}
	}
	for _, l := range []string{"registry=http://h/", "//h/:tokenHelper=/x/y", "//h/:always-auth=true", "index-url = https://h/simple/"} {
		if Secret(l) {
			t.Errorf("Secret(%q) = true", l)
		}
	}
}

func TestNextComposesLogins(t *testing.T) {
	orig := "a=1\nregistry=http://corp/\n"
	first := "a=1\nregistry=http://arca/\ntok=1\n"
	second := "a=1\nregistry=http://arca2/\ntok=2\n"
	r1 := Next(nil, "p", []byte(orig), []byte(first), 0o644, nil)
	r2 := Next(&r1, "p", []byte(first), []byte(second), 0o600, nil)
	if r2.Mode != 0o644 || r2.Created {
		t.Errorf("the second record lost the first's mode: %+v", r2)
	}
	if got, _ := Revert([]byte(second), r2.Hunks); string(got) != orig {
		t.Errorf("after two logins, reverted to %q, want %q", got, orig)
	}
	c := Next(nil, "p", nil, []byte("x\n"), 0, []string{"/d"})
	c2 := Next(&c, "p", []byte("x\n"), []byte("y\n"), 0o600, nil)
	if !c2.Created || len(c2.Dirs) != 1 {
		t.Errorf("a created file stays created: %+v", c2)
	}
}

// FuzzRevert: for any file and any edit of it, reverting the recorded
// diff gives the file back, less the lines that hold credentials.
func FuzzRevert(f *testing.F) {
	f.Add([]byte("a=1\nregistry=http://corp/\n"), []byte("a=1\nregistry=http://arca/\ntok=1\n"))
	f.Add([]byte(""), []byte("x\n"))
	f.Add([]byte("x\nx\ny"), []byte("y\nx\n"))
	f.Fuzz(func(t *testing.T, old, new []byte) {
		got, missed := Revert(new, Diff(old, new))
		var want []string
		for _, l := range lines(old) {
			if !Secret(l) {
				want = append(want, l)
			}
		}
		if missed != 0 || string(got) != strings.Join(want, "") {
			t.Errorf("Revert(%q, Diff(%q, …)) = %q (%d missed), want %q", new, old, got, missed, strings.Join(want, ""))
		}
	})
}
