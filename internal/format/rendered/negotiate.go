package rendered

import (
	"encoding/json"
	"strings"
)

// AcceptsGzip reports whether an Accept-Encoding header allows gzip.
func AcceptsGzip(acceptEncoding string) bool {
	star := false
	for _, part := range strings.Split(acceptEncoding, ",") {
		coding, params, _ := strings.Cut(part, ";")
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			return Quality(params) > 0
		case "*":
			star = Quality(params) > 0
		}
	}
	return star
}

// Quality returns the q parameter of a header element's parameters: 1
// when absent, 0 when it is not a number from 0 to 1.
func Quality(params string) float64 {
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(p, "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			var q float64
			if err := json.Unmarshal([]byte(strings.TrimSpace(v)), &q); err != nil || q < 0 || q > 1 {
				return 0
			}
			return q
		}
	}
	return 1
}
