package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
)

// Exchange exception types the sim reports (wire-formats A7). The details
// message is "ExId|Type|text"; clients classify by Type, so these names
// matter more than the texts.
const (
	excNotFound       = "Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException"
	excAlreadyExists  = "Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException"
	excParameter      = "Microsoft.Exchange.Configuration.Tasks.ParameterBindingException"
	excValidation     = "Microsoft.Exchange.Configuration.Tasks.DataValidationException"
	excAccessDenied   = "Microsoft.Exchange.Configuration.Tasks.CmdletAccessDeniedException"
	excInvalidRequest = "Microsoft.Exchange.Admin.OData.Core.ODataServiceException"
	excTransient      = "Microsoft.Exchange.Data.Storage.TransientException"
)

// serverFQDN is the directory server named in not-found texts, shaped like a
// real one ("….PROD.OUTLOOK.COM") and obviously simulated.
const serverFQDN = "SIMPR01A001DC01.SIMPR01A001.PROD.OUTLOOK.COM"

// exError is an Exchange-shaped failure of one InvokeCommand request.
type exError struct {
	status  int
	code    string // error.code, e.g. "NotFound", "BadRequest"
	message string // error.message; Exchange puts a generic text here
	excType string // .NET exception type in details
	text    string // the human text in details
	header  http.Header
}

func (e *exError) Error() string { return e.excType + ": " + e.text }

// exErrorID returns the "ExXXXXXX" id for an exception type. The not-found
// id is the one clients are known to test for (CIPP); the others are derived
// from the type name because real ids are not documented.
func exErrorID(excType string) string {
	if excType == excNotFound {
		return "Ex94914C"
	}
	sum := sha256.Sum256([]byte(excType))
	return "Ex" + strings.ToUpper(hex.EncodeToString(sum[:3]))
}

func errNotFound(identity string) *exError {
	return &exError{
		status: http.StatusNotFound, code: "NotFound", message: "Error executing cmdlet",
		excType: excNotFound,
		text:    fmt.Sprintf("The operation couldn't be performed because object '%s' couldn't be found on '%s'.", identity, serverFQDN),
	}
}

func errBadRequest(excType, format string, args ...any) *exError {
	return &exError{
		status: http.StatusBadRequest, code: "BadRequest", message: "Error executing cmdlet",
		excType: excType, text: fmt.Sprintf(format, args...),
	}
}

func errValidation(err error) *exError {
	t := err.Error()
	return errBadRequest(excValidation, "%s", strings.ToUpper(t[:1])+t[1:]+".")
}

func errAlreadyExists(format string, args ...any) *exError {
	return errBadRequest(excAlreadyExists, format, args...)
}

func errUnauthorized(reason string) *exError {
	return &exError{
		status: http.StatusUnauthorized, code: "Unauthorized", message: "Access is denied. " + reason,
		excType: excAccessDenied, text: reason,
		header: http.Header{"Www-Authenticate": {`Bearer client_id="` + exchangeResourceApp + `", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token"`}},
	}
}

func errForbidden(reason string) *exError {
	return &exError{
		status: http.StatusForbidden, code: "Forbidden", message: "Access is denied. " + reason,
		excType: excAccessDenied, text: reason,
	}
}

// body renders the A7 error document.
func (e *exError) body() object {
	detail := exErrorID(e.excType) + "|" + e.excType + "|" + e.text
	return object{
		{"error", object{
			{"code", e.code},
			{"message", e.message},
			{"details", []object{{{"code", "Client"}, {"target", ""}, {"message", detail}}}},
			{"innererror", object{
				{"message", e.message},
				{"type", excInvalidRequest},
			}},
		}},
	}
}
