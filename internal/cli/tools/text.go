package tools

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// The editors below work on lines, so that everything a writer does not
// own (other settings, comments, blank lines, order) stays as it was.

// splitLines splits b into lines without their "\n"; a final newline does
// not make an empty last line.
func splitLines(b []byte) []string {
	s := string(b)
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

// joinLines joins lines, each ended by "\n".
func joinLines(lines []string) []byte {
	if len(lines) == 0 {
		return []byte{}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// insert returns lines with more inserted at i.
func insert(lines []string, i int, more ...string) []string {
	out := make([]string, 0, len(lines)+len(more))
	out = append(out, lines[:i]...)
	out = append(out, more...)
	return append(out, lines[i:]...)
}

// remove returns lines without lines[i:j].
func remove(lines []string, i, j int) []string {
	out := make([]string, 0, len(lines)-(j-i))
	out = append(out, lines[:i]...)
	return append(out, lines[j:]...)
}

// lastContent returns the index after the last line of lines[from:to]
// that is neither blank nor a comment, or from when there is none.
func lastContent(lines []string, from, to int, comment string) int {
	end := from
	for i := from; i < to; i++ {
		t := strings.TrimSpace(lines[i])
		if t != "" && !strings.HasPrefix(t, comment) {
			end = i + 1
		}
	}
	return end
}

func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// --- INI (npm's .npmrc, pip.conf, .pypirc, gradle.properties) ---

// ini describes a dialect: which characters separate a key from its value,
// how a new line is written, and which characters start a comment.
type ini struct {
	seps     string // key/value separators: "=" for .npmrc, "=:" for configparser
	assign   string // how a new line is written: "=" or " = "
	comments string
}

var (
	npmrcINI  = ini{seps: "=", assign: "=", comments: ";#"}
	configINI = ini{seps: "=:", assign: " = ", comments: ";#"}
	propsINI  = ini{seps: "=:", assign: "=", comments: "#!"}
)

func (d ini) isComment(line string) bool {
	t := strings.TrimSpace(line)
	return t != "" && strings.ContainsRune(d.comments, rune(t[0]))
}

// sectionOf returns the name of a "[name]" header line.
func sectionOf(line string) (string, bool) {
	t := strings.TrimSpace(strings.TrimRight(line, "\r"))
	if len(t) >= 2 && t[0] == '[' && t[len(t)-1] == ']' {
		return strings.TrimSpace(t[1 : len(t)-1]), true
	}
	return "", false
}

// key returns the key of a "key = value" line; continuation lines (indented)
// and comments have none.
func (d ini) key(line string) (string, bool) {
	if line == "" || line[0] == ' ' || line[0] == '\t' || d.isComment(line) {
		return "", false
	}
	if _, ok := sectionOf(line); ok {
		return "", false
	}
	i := strings.IndexAny(line, d.seps)
	if i < 0 {
		return strings.TrimSpace(line), true
	}
	return strings.TrimSpace(line[:i]), true
}

// value returns the value of the line holding key (continuation lines
// joined with "\n").
func (d ini) value(lines []string, start, end int, key string) (string, bool) {
	for i := start; i < end; i++ {
		if k, ok := d.key(lines[i]); ok && k == key {
			line := lines[i]
			v := ""
			if j := strings.IndexAny(line, d.seps); j >= 0 {
				v = strings.TrimSpace(line[j+1:])
			}
			for i+1 < end && len(lines[i+1]) > 0 && (lines[i+1][0] == ' ' || lines[i+1][0] == '\t') {
				i++
				v += "\n" + strings.TrimSpace(lines[i])
			}
			return v, true
		}
	}
	return "", false
}

// section returns the range of lines after the header of section name up
// to the next header; name "" is the part before the first header. ok is
// false when the section does not exist.
func (d ini) section(lines []string, name string) (start, end int, ok bool) {
	start = -1
	if name == "" {
		start = 0
	}
	for i, l := range lines {
		s, isHeader := sectionOf(l)
		if !isHeader || d.isComment(l) {
			continue
		}
		if start >= 0 {
			return start, i, true
		}
		if s == name {
			start = i + 1
		}
	}
	if start < 0 {
		return 0, 0, false
	}
	return start, len(lines), true
}

// set sets key to value in section (a multi-line value is written with its
// continuation lines indented by a tab). The first line with the key is
// replaced in place, later duplicates are removed, and a missing key is
// added after the section's last setting. A missing section is appended.
func (d ini) set(lines []string, section, key, value string) []string {
	newLines := d.render(key, value)
	start, end, ok := d.section(lines, section)
	if !ok {
		if len(lines) > 0 && !isBlank(lines[len(lines)-1]) {
			lines = append(lines, "")
		}
		lines = append(lines, "["+section+"]")
		return append(lines, newLines...)
	}
	done := false
	for i := start; i < end; {
		k, isKey := d.key(lines[i])
		if !isKey || k != key {
			i++
			continue
		}
		j := i + 1
		for j < end && len(lines[j]) > 0 && (lines[j][0] == ' ' || lines[j][0] == '\t') {
			j++
		}
		lines = remove(lines, i, j)
		end -= j - i
		if !done {
			lines = insert(lines, i, newLines...)
			end += len(newLines)
			i += len(newLines)
			done = true
		}
	}
	if !done {
		at := lastContentINI(d, lines, start, end)
		lines = insert(lines, at, newLines...)
	}
	return lines
}

func lastContentINI(d ini, lines []string, from, to int) int {
	end := from
	for i := from; i < to; i++ {
		if !isBlank(lines[i]) && !d.isComment(lines[i]) {
			end = i + 1
		}
	}
	return end
}

func (d ini) render(key, value string) []string {
	parts := strings.Split(value, "\n")
	out := []string{key + d.assign + parts[0]}
	if len(parts) > 1 && parts[0] == "" {
		out[0] = key + strings.TrimRight(d.assign, " ")
	}
	for _, p := range parts[1:] {
		out = append(out, "\t"+p)
	}
	return out
}

// --- TOML (cargo's config.toml, uv.toml, poetry's config.toml and auth.toml) ---

// tomlString quotes s as a TOML basic string.
func tomlString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 || r == 0x7f {
				b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// tomlArray renders a one-line array of strings.
func tomlArray(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = tomlString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// tomlKeyPath parses a dotted TOML key (bare or quoted parts) into its
// parts; ok is false for a malformed key.
func tomlKeyPath(s string) (parts []string, ok bool) {
	s = strings.TrimSpace(s)
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return nil, false
		}
		var part string
		switch s[0] {
		case '"', '\'':
			q := s[0]
			j := 1
			var b strings.Builder
			for ; j < len(s) && s[j] != q; j++ {
				if q == '"' && s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, false
			}
			part, s = b.String(), s[j+1:]
		default:
			j := 0
			for j < len(s) && (isBare(s[j])) {
				j++
			}
			if j == 0 {
				return nil, false
			}
			part, s = s[:j], s[j:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return parts, true
		}
		if s[0] != '.' {
			return nil, false
		}
		s = s[1:]
	}
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// tomlKey renders one key part, quoting it unless it is bare.
func tomlKey(s string) string {
	for i := 0; i < len(s); i++ {
		if !isBare(s[i]) {
			return tomlString(s)
		}
	}
	if s == "" {
		return `""`
	}
	return s
}

// tomlHeader is a table header line parsed: [a.b] or [[a.b]].
type tomlHeader struct {
	path  []string
	array bool
}

// tomlHeaderOf parses a header line (comments after it allowed).
func tomlHeaderOf(line string) (tomlHeader, bool) {
	t := strings.TrimSpace(line)
	if !strings.HasPrefix(t, "[") {
		return tomlHeader{}, false
	}
	array := strings.HasPrefix(t, "[[")
	open, close := "[", "]"
	if array {
		open, close = "[[", "]]"
	}
	t = t[len(open):]
	// Find the closing bracket outside quotes.
	inQ := byte(0)
	end := -1
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQ != 0:
			if c == '\\' && inQ == '"' {
				i++
			} else if c == inQ {
				inQ = 0
			}
		case c == '"' || c == '\'':
			inQ = c
		case strings.HasPrefix(t[i:], close):
			end = i
		}
		if end >= 0 {
			break
		}
	}
	if end < 0 {
		return tomlHeader{}, false
	}
	p, ok := tomlKeyPath(t[:end])
	if !ok {
		return tomlHeader{}, false
	}
	return tomlHeader{path: p, array: array}, true
}

func samePath(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// hasPrefixPath reports whether p starts with prefix.
func hasPrefixPath(p, prefix []string) bool {
	return len(p) >= len(prefix) && samePath(p[:len(prefix)], prefix)
}

// tomlKeyOf returns the key path of a "key = value" line.
func tomlKeyOf(line string) ([]string, bool) {
	t := strings.TrimSpace(line)
	if t == "" || t[0] == '#' || t[0] == '[' {
		return nil, false
	}
	// The '=' outside quotes.
	inQ := byte(0)
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case inQ != 0:
			if c == '\\' && inQ == '"' {
				i++
			} else if c == inQ {
				inQ = 0
			}
		case c == '"' || c == '\'':
			inQ = c
		case c == '=':
			return tomlKeyPath(t[:i])
		}
	}
	return nil, false
}

// tomlValueEnd returns the index after the last line of the value that
// starts on lines[i]: arrays and inline tables may span lines, and so may
// multi-line strings.
func tomlValueEnd(lines []string, i int) int {
	depth := 0
	inStr := ""
	for j := i; j < len(lines); j++ {
		l := lines[j]
		k := 0
		if j == i {
			k = strings.IndexByte(l, '=') + 1
		}
		for ; k < len(l); k++ {
			c := l[k]
			if inStr != "" {
				if strings.HasPrefix(l[k:], inStr) {
					k += len(inStr) - 1
					inStr = ""
				} else if c == '\\' && inStr[0] == '"' {
					k++
				}
				continue
			}
			switch {
			case strings.HasPrefix(l[k:], `"""`), strings.HasPrefix(l[k:], `'''`):
				inStr = l[k : k+3]
				k += 2
			case c == '"' || c == '\'':
				inStr = string(c)
			case c == '[' || c == '{':
				depth++
			case c == ']' || c == '}':
				depth--
			case c == '#':
				k = len(l)
			}
		}
		if len(inStr) == 1 {
			inStr = "" // a one-line string cannot continue
		}
		if depth <= 0 && inStr == "" {
			return j + 1
		}
	}
	return len(lines)
}

// tomlTable is a table's body: the lines after its header, up to the next
// header.
type tomlTable struct{ start, end int }

// tomlTables returns the bodies of the tables whose header matches.
func tomlTables(lines []string, match func(tomlHeader) bool) []tomlTable {
	var out []tomlTable
	cur := -1
	for i, l := range lines {
		h, ok := tomlHeaderOf(l)
		if !ok {
			continue
		}
		if cur >= 0 {
			out = append(out, tomlTable{cur, i})
			cur = -1
		}
		if match(h) {
			cur = i + 1
		}
	}
	if cur >= 0 {
		out = append(out, tomlTable{cur, len(lines)})
	}
	return out
}

// tomlKV is one key = value to set; Value is already TOML; an empty Value
// removes the key.
type tomlKV struct {
	Key   string
	Value string
}

// tomlSetIn sets kvs in the table body t, replacing existing keys in
// place and adding missing ones after the body's last setting.
func tomlSetIn(lines []string, t tomlTable, kvs []tomlKV) []string {
	for _, kv := range kvs {
		done := false
		for i := t.start; i < t.end; {
			p, ok := tomlKeyOf(lines[i])
			if !ok || !samePath(p, []string{kv.Key}) {
				i++
				continue
			}
			j := tomlValueEnd(lines, i)
			if j > t.end {
				j = t.end
			}
			lines = remove(lines, i, j)
			t.end -= j - i
			if !done && kv.Value != "" {
				lines = insert(lines, i, tomlKey(kv.Key)+" = "+kv.Value)
				t.end++
				i++
			}
			done = true
		}
		if !done && kv.Value != "" {
			at := lastContent(lines, t.start, t.end, "#")
			lines = insert(lines, at, tomlKey(kv.Key)+" = "+kv.Value)
			t.end++
		}
	}
	return lines
}

// tomlHeaderLine renders a table header.
func tomlHeaderLine(path []string, array bool) string {
	q := make([]string, len(path))
	for i, p := range path {
		q[i] = tomlKey(p)
	}
	if array {
		return "[[" + strings.Join(q, ".") + "]]"
	}
	return "[" + strings.Join(q, ".") + "]"
}

// tomlAppendTable appends a new table with kvs at the end of the file.
func tomlAppendTable(lines []string, path []string, array bool, kvs []tomlKV) []string {
	if len(lines) > 0 && !isBlank(lines[len(lines)-1]) {
		lines = append(lines, "")
	}
	lines = append(lines, tomlHeaderLine(path, array))
	for _, kv := range kvs {
		if kv.Value != "" {
			lines = append(lines, tomlKey(kv.Key)+" = "+kv.Value)
		}
	}
	return lines
}

// tomlSetTable sets kvs in the table [path], creating it when missing. It
// refuses (ok false) when the table is defined another way this editor
// does not rewrite: as an inline table or dotted keys in a parent table.
func tomlSetTable(lines []string, path []string, kvs []tomlKV) (out []string, ok bool) {
	if tomlDefinedInline(lines, path) {
		return nil, false
	}
	ts := tomlTables(lines, func(h tomlHeader) bool { return !h.array && samePath(h.path, path) })
	if len(ts) == 0 {
		return tomlAppendTable(lines, path, false, kvs), true
	}
	return tomlSetIn(lines, ts[0], kvs), true
}

// tomlDefinedInline reports whether path is (partly) defined by a key line
// in a parent table, e.g. `my-repo = { index = "..." }` in [registries], or
// `registries.my-repo.index = "..."` at the top level.
func tomlDefinedInline(lines []string, path []string) bool {
	var table []string
	for _, l := range lines {
		if h, ok := tomlHeaderOf(l); ok {
			table = h.path
			continue
		}
		k, ok := tomlKeyOf(l)
		if !ok {
			continue
		}
		full := append(append([]string{}, table...), k...)
		if len(table) < len(path) && hasPrefixPath(full, path) {
			return true
		}
	}
	return false
}

// --- XML (Maven's settings.xml, NuGet.Config) ---

// The XML editors find elements with a real XML parser (encoding/xml's
// tokenizer, which also decodes entities and character references and
// skips comments, CDATA sections and processing instructions), and edit
// by splicing the document's bytes at the positions it reports: what the
// writer does not own (other elements, comments, quoting, " />" versus
// "/>", attribute order) stays byte for byte as it was. A tree library
// that parses and writes the document again normalizes all of that on
// every line, which a NuGet.Config as dotnet writes it would show at once.

// xmlElement is an element's position in a document: [Start, End) is the
// whole element, [Inner, InnerEnd) its content; SelfClosing has none.
type xmlElement struct {
	Start, Inner, InnerEnd, End int
	SelfClosing                 bool
}

// xmlNode is one element of a parsed document.
type xmlNode struct {
	xmlElement
	Name     string // the local name (any namespace)
	Attr     []xml.Attr
	Text     string // the character data directly inside it, decoded
	Children []*xmlNode
}

// xmlParse parses doc and returns its root elements (one in a well-formed
// document) with their positions. A document that is not well-formed is
// an error: editing it could make it worse.
func xmlParse(doc string) ([]*xmlNode, error) {
	d := xml.NewDecoder(strings.NewReader(doc))
	// Positions are byte offsets into doc: read every encoding as it is
	// (element and attribute names the editors look for are ASCII).
	d.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	top := &xmlNode{}
	stack := []*xmlNode{top}
	for {
		before := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("not well-formed XML: %w", err)
		}
		after := int(d.InputOffset())
		parent := stack[len(stack)-1]
		switch t := tok.(type) {
		case xml.StartElement:
			n := &xmlNode{Name: t.Name.Local, Attr: t.Attr, xmlElement: xmlElement{Start: before, Inner: after}}
			parent.Children = append(parent.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			// A self-closing tag's end element is made up by the
			// decoder: it does not move.
			parent.SelfClosing = before == after
			parent.InnerEnd, parent.End = before, after
			stack = stack[:len(stack)-1]
		case xml.CharData:
			parent.Text += string(t)
		}
	}
	return top.Children, nil
}

// children returns the child elements of n named name.
func (n *xmlNode) children(name string) []*xmlNode {
	var out []*xmlNode
	for _, c := range n.Children {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// childText returns the trimmed text of the first child element name.
func (n *xmlNode) childText(name string) string {
	if cs := n.children(name); len(cs) > 0 {
		return strings.TrimSpace(cs[0].Text)
	}
	return ""
}

// attr returns the value of attribute name (in no namespace).
func (n *xmlNode) attr(name string) (string, bool) {
	for _, a := range n.Attr {
		if a.Name.Space == "" && a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;")

func xmlEscape(s string) string { return xmlEscaper.Replace(s) }

// lineIndent returns the whitespace that starts the line holding doc[i].
func lineIndent(doc string, i int) string {
	ls := strings.LastIndexByte(doc[:i], '\n') + 1
	j := ls
	for j < len(doc) && (doc[j] == ' ' || doc[j] == '\t') {
		j++
	}
	if j > i {
		j = i
	}
	return doc[ls:j]
}

// indentUnit guesses a document's indentation step.
func indentUnit(doc string) string {
	for _, l := range strings.Split(doc, "\n") {
		if strings.HasPrefix(l, "\t") {
			return "\t"
		}
		if n := len(l) - len(strings.TrimLeft(l, " ")); n > 0 && n <= 4 && strings.TrimSpace(l) != "" {
			return strings.Repeat(" ", n)
		}
	}
	return "  "
}

// reindent prefixes every line of block with indent; the block's own
// indentation, in steps of two spaces, becomes steps of unit.
func reindent(block []string, indent, unit string) string {
	var b strings.Builder
	for _, l := range block {
		n := 0
		for strings.HasPrefix(l, "  ") {
			l = l[2:]
			n++
		}
		b.WriteString(indent + strings.Repeat(unit, n) + l + "\n")
	}
	return b.String()
}

// xmlReplaceChild puts the element block (lines, indented one unit deeper
// than parent) into parent's content: in place of old when old is set,
// else before parent's closing tag. A self-closing parent is opened.
func xmlReplaceChild(doc string, parent xmlElement, old *xmlElement, block []string, unit string) string {
	pIndent := lineIndent(doc, parent.Start)
	if old != nil {
		ls := strings.LastIndexByte(doc[:old.Start], '\n') + 1
		indent := lineIndent(doc, old.Start)
		end := old.End
		if end < len(doc) && doc[end] == '\n' && strings.TrimSpace(doc[ls:old.Start]) == "" {
			end++
			return doc[:ls] + reindent(block, indent, unit) + doc[end:]
		}
		return doc[:old.Start] + strings.TrimSuffix(strings.TrimPrefix(reindent(block, indent, unit), indent), "\n") + doc[old.End:]
	}
	child := reindent(block, pIndent+unit, unit)
	if parent.SelfClosing {
		name := strings.TrimRight(strings.Fields(doc[parent.Start+1 : parent.End])[0], "/>")
		open := strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(doc[parent.Start:parent.End], "/>")), " ") + ">"
		return doc[:parent.Start] + open + "\n" + child + pIndent + "</" + name + ">" + doc[parent.End:]
	}
	// Insert before the closing tag, on its own line.
	ls := strings.LastIndexByte(doc[:parent.InnerEnd], '\n') + 1
	if strings.TrimSpace(doc[ls:parent.InnerEnd]) == "" && ls > parent.Inner {
		return doc[:ls] + child + doc[ls:]
	}
	return doc[:parent.InnerEnd] + "\n" + child + pIndent + doc[parent.InnerEnd:]
}

// --- YAML (.yarnrc.yml, .gemrc, bundler's config, .gem/credentials) ---

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	return strconv.Quote(s)
}

// yamlIndent returns the indentation width of a line.
func yamlIndent(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }

// yamlKey returns the key of a "key: value" line (quotes removed).
func yamlKey(l string) (string, bool) {
	t := strings.TrimSpace(l)
	if t == "" || t[0] == '#' || t[0] == '-' || t == "---" {
		return "", false
	}
	if t[0] == '"' || t[0] == '\'' {
		q := t[0]
		var b strings.Builder
		for i := 1; i < len(t); i++ {
			if q == '"' && t[i] == '\\' && i+1 < len(t) {
				i++
				b.WriteByte(t[i])
				continue
			}
			if t[i] == q {
				if q == '\'' && i+1 < len(t) && t[i+1] == '\'' {
					b.WriteByte('\'')
					i++
					continue
				}
				rest := strings.TrimLeft(t[i+1:], " ")
				if strings.HasPrefix(rest, ":") {
					return b.String(), true
				}
				return "", false
			}
			b.WriteByte(t[i])
		}
		return "", false
	}
	// A plain key ends at the first ": " or a ':' at the end of the line.
	for i := 0; i < len(t); i++ {
		if t[i] == ':' && (i+1 == len(t) || t[i+1] == ' ' || t[i+1] == '\t') {
			return strings.TrimSpace(t[:i]), true
		}
		if t[i] == ' ' && i+1 < len(t) && t[i+1] == '#' {
			break
		}
	}
	return "", false
}

// yamlBlock returns the lines of the mapping entry that starts at lines[i]:
// it and the lines after it that are more indented (or blank or comments
// followed by more indented lines).
func yamlBlockEnd(lines []string, i int) int {
	ind := yamlIndent(lines[i])
	end := i + 1
	for j := i + 1; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" || t[0] == '#' {
			continue
		}
		if yamlIndent(lines[j]) > ind || (t[0] == '-' && yamlIndent(lines[j]) == ind && ind == 0 && yamlSeqParent(lines[i])) {
			end = j + 1
			continue
		}
		break
	}
	return end
}

// yamlSeqParent reports whether a "key:" line has no inline value, so that
// a sequence at the same indentation belongs to it.
func yamlSeqParent(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasSuffix(t, ":")
}

// yamlEntries returns the start lines of the mapping entries with
// indentation ind within lines[from:to].
func yamlEntries(lines []string, from, to, ind int) map[string]int {
	out := map[string]int{}
	for i := from; i < to; i++ {
		if yamlIndent(lines[i]) != ind {
			continue
		}
		if k, ok := yamlKey(lines[i]); ok {
			if _, dup := out[k]; !dup {
				out[k] = i
			}
		}
	}
	return out
}

// yamlSetTop replaces the top-level entry key with block (its own lines,
// starting with the key line), or appends block when the key is missing.
func yamlSetTop(lines []string, key string, block []string) []string {
	if i, ok := yamlEntries(lines, 0, len(lines), 0)[key]; ok {
		end := yamlBlockEnd(lines, i)
		return insert(remove(lines, i, end), i, block...)
	}
	at := len(lines)
	for at > 0 && isBlank(lines[at-1]) {
		at--
	}
	return insert(lines, at, block...)
}

// yamlSetChild sets the entry child (block: its lines, unindented) inside
// the top-level mapping parent, creating parent when missing. ok is false
// when parent exists with an inline value this editor does not rewrite.
func yamlSetChild(lines []string, parent, child string, block []string) ([]string, bool) {
	pi, ok := yamlEntries(lines, 0, len(lines), 0)[parent]
	if !ok {
		out := []string{yamlPlainOrQuoted(parent) + ":"}
		for _, l := range block {
			out = append(out, "  "+l)
		}
		return yamlSetTop(lines, parent, out), true
	}
	if !yamlSeqParent(lines[pi]) {
		return nil, false
	}
	end := yamlBlockEnd(lines, pi)
	ind := -1
	for j := pi + 1; j < end; j++ {
		t := strings.TrimSpace(lines[j])
		if t != "" && t[0] != '#' {
			ind = yamlIndent(lines[j])
			break
		}
	}
	if ind <= 0 {
		ind = 2
	}
	pad := strings.Repeat(" ", ind)
	var indented []string
	for _, l := range block {
		indented = append(indented, pad+l)
	}
	if ci, ok := yamlEntries(lines, pi+1, end, ind)[child]; ok {
		ce := yamlBlockEnd(lines, ci)
		return insert(remove(lines, ci, ce), ci, indented...), true
	}
	at := lastContent(lines, pi+1, end, "#")
	if at <= pi {
		at = pi + 1
	}
	return insert(lines, at, indented...), true
}

// yamlPlainOrQuoted writes a key plain when that is safe, else quoted.
func yamlPlainOrQuoted(s string) string {
	if s == "" {
		return `""`
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' || r == '.') {
			return yamlString(s)
		}
	}
	return s
}
