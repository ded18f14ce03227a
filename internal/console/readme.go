package console

import "strings"

// A readme is rendered from a small Markdown subset into blocks of plain
// text, which the template escapes: headings (#...), fenced code blocks,
// bullet and numbered list items, paragraphs, and inline `code` spans.
// Everything else, HTML included, is shown as the text it is. No markup
// of a readme reaches the page, so nothing in it can run.

// block is one rendered block of a readme.
type block struct {
	Kind  string // "h1".."h4", "p", "code", "ul"
	Text  []span // headings and paragraphs
	Code  string // code blocks
	Items [][]span
}

// span is a run of text, code or not.
type span struct {
	Text string
	Code bool
}

// maxReadme bounds what is rendered of a readme.
const maxReadme = 256 << 10

// markdown renders a readme.
func markdown(src string) []block {
	if len(src) > maxReadme {
		src = src[:maxReadme]
	}
	var out []block
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, block{Kind: "p", Text: spans(strings.Join(para, " "))})
			para = nil
		}
	}
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			flush()
			fence := trimmed[:3]
			var code []string
			for i++; i < len(lines) && !strings.HasPrefix(strings.TrimSpace(lines[i]), fence); i++ {
				code = append(code, lines[i])
			}
			out = append(out, block{Kind: "code", Code: strings.Join(code, "\n")})
		case trimmed == "":
			flush()
		case strings.HasPrefix(trimmed, "#"):
			flush()
			level := len(trimmed) - len(strings.TrimLeft(trimmed, "#"))
			text := strings.TrimSpace(trimmed[level:])
			if level > 4 {
				level = 4
			}
			out = append(out, block{Kind: "h" + string(rune('0'+level)), Text: spans(text)})
		case listItem(trimmed) != "":
			flush()
			if n := len(out); n == 0 || out[n-1].Kind != "ul" {
				out = append(out, block{Kind: "ul"})
			}
			out[len(out)-1].Items = append(out[len(out)-1].Items, spans(listItem(trimmed)))
		default:
			para = append(para, trimmed)
		}
	}
	flush()
	return out
}

// listItem returns the text of a list item line ("- x", "* x", "1. x"),
// or "".
func listItem(line string) string {
	for _, p := range []string{"- ", "* ", "+ "} {
		if rest, ok := strings.CutPrefix(line, p); ok {
			return strings.TrimSpace(rest)
		}
	}
	digits := len(line) - len(strings.TrimLeft(line, "0123456789"))
	if digits > 0 && digits < 4 {
		if rest, ok := strings.CutPrefix(line[digits:], ". "); ok {
			return strings.TrimSpace(rest)
		}
	}
	return ""
}

// spans splits text at backticks into text and code spans.
func spans(text string) []span {
	var out []span
	for i := 0; text != ""; i++ {
		before, after, found := strings.Cut(text, "`")
		if before != "" {
			out = append(out, span{Text: before, Code: i%2 == 1})
		}
		if !found {
			break
		}
		text = after
	}
	return out
}
