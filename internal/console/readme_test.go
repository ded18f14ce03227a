package console

import (
	"bytes"
	"strings"
	"testing"
)

func TestMarkdown(t *testing.T) {
	got := markdown("# Title\n\nSome `code` here\nand more.\n\n- one\n- two\n\n```js\n<script>x()</script>\n```\n<img src=x onerror=alert(1)>")
	want := []string{"h1", "p", "ul", "code", "p"}
	if len(got) != len(want) {
		t.Fatalf("blocks %+v", got)
	}
	for i, b := range got {
		if b.Kind != want[i] {
			t.Errorf("block %d is %s, want %s", i, b.Kind, want[i])
		}
	}
	if p := got[1].Text; len(p) != 3 || !p[1].Code || p[1].Text != "code" || p[2].Text != " here and more." {
		t.Errorf("paragraph spans %+v", p)
	}
	if len(got[2].Items) != 2 || got[3].Code != "<script>x()</script>" {
		t.Errorf("list %+v, code %q", got[2].Items, got[3].Code)
	}
}

// A readme's markup reaches the page only as escaped text.
func TestReadmeIsEscaped(t *testing.T) {
	c := &Console{pages: parsePages()}
	var buf bytes.Buffer
	readme := "<script>window.pwned=1</script>\n\n# <img src=x onerror=alert(1)>\n\n- <a href=\"javascript:alert(1)\">x</a>\n\n```\n</pre><script>y()</script>\n```"
	err := c.pages["version"].Execute(&buf, page{Session: &session{}, Data: map[string]any{
		"Version": versionDescription{}, "Readme": markdown(readme)}})
	if err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, bad := range []string{"<script", "<img", "<a href=\"javascript", "</pre><"} {
		if strings.Contains(out, bad) {
			t.Errorf("the page holds %q:\n%s", bad, out)
		}
	}
	if !strings.Contains(out, "&lt;script&gt;window.pwned=1&lt;/script&gt;") {
		t.Errorf("the readme's text is not shown escaped:\n%s", out)
	}
}

// FuzzMarkdown: any readme renders, and no tag of it reaches the page.
func FuzzMarkdown(f *testing.F) {
	for _, s := range []string{"# t\n\ntext `code`", "```\n<script>\n", "- <b>x</b>\n1. y", "`", "#####", "\r\n\r\n~~~\n"} {
		f.Add(s)
	}
	c := &Console{pages: parsePages()}
	f.Fuzz(func(t *testing.T, readme string) {
		var buf bytes.Buffer
		err := c.pages["version"].Execute(&buf, page{Session: &session{}, Data: map[string]any{
			"Version": versionDescription{}, "Readme": markdown(readme)}})
		if err != nil {
			t.Fatal(err)
		}
		start := strings.Index(buf.String(), `<article class="readme" id="readme">`)
		end := strings.LastIndex(buf.String(), "</article>")
		body := buf.String()[start:end]
		for _, tag := range []string{"<script", "<img", "<a ", "<iframe", "<style", "<svg"} {
			if strings.Contains(strings.ToLower(body), tag) {
				t.Fatalf("the readme %q put %s on the page:\n%s", readme, tag, body)
			}
		}
	})
}
