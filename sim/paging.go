package sim

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// defaultPageSize is the page size when the client sends no Prefer
// odata.maxpagesize. Microsoft does not document one; 1000 matches the
// cmdlets' default ResultSize, so an unpaged client sees what PowerShell shows.
const defaultPageSize = 1000

// pageSize reads odata.maxpagesize from Prefer (or X-Prefer, which one
// capture used), tolerating the spaces and extra preferences clients send
// ("odata.maxpagesize = 1000;odata.continue-on-error"). ok reports whether
// the client asked, so the response can say the preference was applied.
func pageSize(h http.Header) (n int, ok bool) {
	for _, name := range []string{"Prefer", "X-Prefer"} {
		for _, hv := range h.Values(name) {
			for _, pref := range strings.FieldsFunc(hv, func(r rune) bool { return r == ',' || r == ';' }) {
				k, v, found := strings.Cut(pref, "=")
				if !found || !strings.EqualFold(strings.TrimSpace(k), "odata.maxpagesize") {
					continue
				}
				if n, err := strconv.Atoi(strings.Trim(strings.TrimSpace(v), `"`)); err == nil && n > 0 {
					return n, true
				}
			}
		}
	}
	return defaultPageSize, false
}

// skipToken is the continuation state in a nextLink. The client re-POSTs the
// same body to the link, so the token only needs the offset; the cmdlet name
// guards against a link reused with another body.
type skipToken struct {
	Cmdlet string `json:"c"`
	Offset int    `json:"o"`
}

func encodeSkipToken(t skipToken) string {
	b, _ := json.Marshal(t)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeSkipToken(s string) (skipToken, bool) {
	var t skipToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.Offset < 0 {
		return skipToken{}, false
	}
	return t, true
}
