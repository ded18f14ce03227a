// Package model loads the AWS service model of CodeArtifact
// (codeartifact-2018-09-22.service.json, embedded unchanged from the AWS
// SDKs' published models) and answers the questions the control plane asks
// of it: which operation a method and path name, where each input member is
// carried (query string, header, body), and whether a value satisfies the
// constraints of its shape (required, length, range, pattern, enum).
//
// Arca's own operations (arca-operations.json: the release-age gate and
// event subscriptions) are
// merged in, in the same form and over the same shapes; Operation.Service
// tells them apart (their actions are arca:<Operation>).
//
// Validation follows the model exactly, so the server checks what botocore
// leaves unchecked (max, pattern, enum; docs/CLIENTS.md §1.0), and reports it in
// the wording of AWS's ValidationException.
package model

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
)

//go:embed codeartifact-2018-09-22.service.json
var serviceJSON []byte

// arcaJSON holds Arca's own operations (the release-age gate, event
// subscriptions), in the model's form and over the model's shapes: they
// are routed, bound and validated like CodeArtifact's, and authorized as
// arca:<Operation>.
//
//go:embed arca-operations.json
var arcaJSON []byte

// Service prefixes of the actions the operations authorize.
const (
	ServiceCodeArtifact = "codeartifact"
	ServiceArca         = "arca"
)

// Model is the parsed service model.
type Model struct {
	Operations map[string]*Operation
	Shapes     map[string]*Shape
	byRoute    map[string]*Operation // "METHOD /path"
}

// Operation is one API operation.
type Operation struct {
	Name string
	HTTP struct {
		Method     string `json:"method"`
		RequestURI string `json:"requestUri"`
	} `json:"http"`
	Input  *Ref `json:"input"`
	Output *Ref `json:"output"`
	Errors []Ref
	// Service is the prefix of the operation's action: codeartifact, or
	// arca for Arca's own operations.
	Service string `json:"-"`
}

// Action is the IAM action an operation authorizes, service:Name.
func (op *Operation) Action() string { return op.Service + ":" + op.Name }

// Ref names a shape.
type Ref struct {
	Shape string `json:"shape"`
}

// Member is a member of a structure shape.
type Member struct {
	Shape        string `json:"shape"`
	Location     string `json:"location"`     // "", "querystring", "header", "uri"
	LocationName string `json:"locationName"` // the query key or header name
}

// Shape is a type of the model.
type Shape struct {
	Type      string             `json:"type"`
	Required  []string           `json:"required"`
	Members   map[string]*Member `json:"members"`
	Member    *Member            `json:"member"` // lists
	Key       *Member            `json:"key"`    // maps
	Value     *Member            `json:"value"`  // maps
	Min       *float64           `json:"min"`
	Max       *float64           `json:"max"`
	Pattern   string             `json:"pattern"`
	Enum      []string           `json:"enum"`
	Payload   string             `json:"payload"`
	Streaming bool               `json:"streaming"`
	Error     *struct {
		HTTPStatusCode int `json:"httpStatusCode"`
	} `json:"error"`

	// names are the names of Members, sorted (the order violations are
	// reported in), listed once at Load.
	names []string
	re    *regexp.Regexp
	// matched is the last string that satisfied re (match).
	matched atomic.Pointer[string]
}

// Load parses the embedded model. It fails only if the embedded file is
// broken, which the package's tests rule out.
func Load() (*Model, error) {
	var m Model
	if err := json.Unmarshal(serviceJSON, &m); err != nil {
		return nil, fmt.Errorf("service model: %w", err)
	}
	var arca Model
	if err := json.Unmarshal(arcaJSON, &arca); err != nil {
		return nil, fmt.Errorf("arca operations: %w", err)
	}
	for _, op := range m.Operations {
		op.Service = ServiceCodeArtifact
	}
	for name, op := range arca.Operations {
		if _, dup := m.Operations[name]; dup {
			return nil, fmt.Errorf("arca operation %s is CodeArtifact's", name)
		}
		op.Service = ServiceArca
		m.Operations[name] = op
	}
	for name, s := range arca.Shapes {
		if _, dup := m.Shapes[name]; dup {
			return nil, fmt.Errorf("arca shape %s is CodeArtifact's", name)
		}
		m.Shapes[name] = s
	}
	m.byRoute = make(map[string]*Operation, len(m.Operations))
	for name, op := range m.Operations {
		op.Name = name
		key := op.HTTP.Method + " " + op.HTTP.RequestURI
		if _, dup := m.byRoute[key]; dup {
			return nil, fmt.Errorf("two operations at %s", key)
		}
		m.byRoute[key] = op
	}
	for name, s := range m.Shapes {
		for member := range s.Members {
			s.names = append(s.names, member)
		}
		sort.Strings(s.names)
		if s.Pattern == "" {
			continue
		}
		re, err := regexp.Compile(`^(?:` + javaToRE2(s.Pattern) + `)$`)
		if err != nil {
			return nil, fmt.Errorf("shape %s: pattern %q: %w", name, s.Pattern, err)
		}
		s.re = re
	}
	return &m, nil
}

// javaToRE2 rewrites the Java regular-expression classes the model uses
// that RE2 spells differently.
func javaToRE2(p string) string {
	return strings.ReplaceAll(p, `\p{IsWhitespace}`, `\s`)
}

// Route returns the operation served at method and path.
func (m *Model) Route(method, path string) (*Operation, bool) {
	op, ok := m.byRoute[method+" "+path]
	return op, ok
}

// Input returns the input shape of op.
func (m *Model) Input(op *Operation) *Shape {
	if op.Input == nil {
		return &Shape{Type: "structure"}
	}
	return m.Shapes[op.Input.Shape]
}

// ErrorStatus returns the HTTP status the model gives an error shape, and
// whether the model has it.
func (m *Model) ErrorStatus(name string) (int, bool) {
	s, ok := m.Shapes[name]
	if !ok || s.Error == nil {
		return 0, false
	}
	return s.Error.HTTPStatusCode, true
}
