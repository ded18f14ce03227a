package policy

import (
	"fmt"
	"strconv"

	"github.com/arcahq/arca/internal/errkind"
)

// The reasons a rejected document carries, from CodeArtifact's
// ValidationExceptionReason enumeration.
const (
	reasonCannotParse = "CANNOT_PARSE"
	reasonField       = "FIELD_VALIDATION_FAILED"
)

// malformed returns the Validation error for a document that is JSON but
// breaks the policy grammar at path. The message starts the way IAM's
// MalformedPolicyDocument messages do and names the element.
func malformed(path, format string, args ...any) *errkind.Error {
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	return errkind.Validationf("malformed policy document: %s", msg).WithReason(reasonField)
}

// cannotParse returns the Validation error for a document that is not JSON.
func cannotParse(format string, args ...any) *errkind.Error {
	return errkind.Validationf("malformed policy document: not valid JSON: %s", fmt.Sprintf(format, args...)).WithReason(reasonCannotParse)
}

// member and index build the element paths used in messages, such as
// Statement[1].Condition.StringEquals["aws:SourceIp"].
func member(path, key string) string {
	plain := key != ""
	for _, c := range key {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			plain = false
			break
		}
	}
	switch {
	case !plain:
		return path + "[" + strconv.Quote(key) + "]"
	case path == "":
		return key
	}
	return path + "." + key
}

func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}
