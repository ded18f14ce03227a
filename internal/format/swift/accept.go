package swift

import (
	"net/http"
	"strings"

	"github.com/arcahq/arca/internal/errkind"
	"github.com/arcahq/arca/internal/format"
)

// Media types of the registry API, version 1 (SE-0292 §3.5).
const (
	mediaJSON  = "json"
	mediaZip   = "zip"
	mediaSwift = "swift"

	vendorPrefix = "application/vnd.swift.registry.v"
)

// plainTypes are the ordinary media types of each response kind.
var plainTypes = map[string]string{
	mediaJSON:  "application/json",
	mediaZip:   "application/zip",
	mediaSwift: "text/x-swift",
}

// Negotiate checks a request's Accept header for a response of kind
// (json, zip or swift), as SE-0292 §3.5 says: a registry media type of
// another API version is 400, a media type the endpoint cannot answer
// with is 415. No Accept header, a wildcard, or the plain media type of
// the kind are served with version 1.
func Negotiate(accept, kind string) error {
	accept = strings.TrimSpace(accept)
	if accept == "" {
		return nil
	}
	var refused []string
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := strings.Cut(part, ";")
		mt = strings.ToLower(strings.TrimSpace(mt))
		if mt == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(mt, vendorPrefix); ok {
			version, suffix, _ := strings.Cut(rest, "+")
			if version != "1" {
				return errkind.Validationf("Unsupported API version %q in Accept: this registry serves version 1 (%s1+%s)", version, vendorPrefix, kind)
			}
			if suffix == kind || suffix == "" && kind == mediaJSON {
				return nil
			}
			refused = append(refused, mt)
			continue
		}
		if mt == "*/*" || mt == plainTypes[kind] || mt == strings.SplitN(plainTypes[kind], "/", 2)[0]+"/*" {
			return nil
		}
		refused = append(refused, mt)
	}
	if len(refused) == 0 {
		return nil
	}
	return &format.Refusal{Status: http.StatusUnsupportedMediaType,
		Message: "Unsupported media type " + strings.Join(refused, ", ") + ": this resource is served as " + vendorPrefix + "1+" + kind}
}
