package httplog

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	plantedSecret = "Qx8~plantedSECRET.value_42"
	plantedJWT    = "eyJhbGciOiJIUzI1NiJ9.eyJhcHBpZCI6IngifQ.c2lnbmF0dXJlLWJ5dGVz"
)

func TestSensitiveName(t *testing.T) {
	tests := map[string]bool{
		"Authorization":                         true,
		"authorization":                         true,
		"Proxy-Authorization":                   true,
		"Cookie":                                true,
		"Set-Cookie":                            true,
		"client_secret":                         true,
		"client_assertion":                      true,
		"assertion":                             true,
		"access_token":                          true,
		"refresh_token":                         true,
		"id_token":                              true,
		"secretText":                            true,
		"key":                                   true,
		"Password":                              true,
		"NewPassword":                           true,
		"passwordProfile":                       true,
		"X-Api-Key":                             true,
		"privateKey":                            true,
		"sig":                                   true,
		"client_assertion_type":                 false,
		"token_type":                            false,
		"$skiptoken":                            false,
		"keyId":                                 false,
		"displayName":                           false,
		"Content-Type":                          false,
		"request-id":                            false,
		"client-request-id":                     false,
		"X-AnchorMailbox":                       false,
		"WWW-Authenticate":                      false,
		"hint":                                  false,
		"":                                      false,
		"token_endpoint":                        false,
		"id_token_signing_alg_values_supported": false,
		"requested_token_use":                   false,
		"tokenEncryptionKeyId":                  false,
		"X-Ms-Token-Aad-Id-Token":               true,
		"refreshTokens":                         true,
		"@odata.nextLink":                       false,
	}
	for name, want := range tests {
		if got := SensitiveName(name); got != want {
			t.Errorf("SensitiveName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestRedactJSON(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"graph addPassword answer",
			`{"keyId":"k1","secretText":"` + plantedSecret + `","hint":"Qx8","displayName":"ci"}`,
			`{"keyId":"k1","secretText":"[redacted]","hint":"Qx8","displayName":"ci"}`},
		{"token answer",
			`{"token_type":"Bearer","expires_in":3599,"access_token":"abc.def.ghi"}`,
			`{"token_type":"Bearer","expires_in":3599,"access_token":"[redacted]"}`},
		{"exchange password parameter",
			`{"CmdletInput":{"CmdletName":"New-Mailbox","Parameters":{"Name":"a","Password":"` + plantedSecret + `"}}}`,
			`{"CmdletInput":{"CmdletName":"New-Mailbox","Parameters":{"Name":"a","Password":"[redacted]"}}}`},
		{"key credential",
			`{"keyCredentials":[{"keyId":"k","type":"AsymmetricX509Cert","key":"MIIBase64=="}]}`,
			`{"keyCredentials":[{"keyId":"k","type":"AsymmetricX509Cert","key":"[redacted]"}]}`},
		{"password profile",
			`{"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"p@ss word"}}`,
			`{"passwordProfile":{"forceChangePasswordNextSignIn":true,"password":"[redacted]"}}`},
		{"array of secrets",
			`{"passwords":["a1b2c3","d4e5f6"],"names":["x"]}`,
			`{"passwords":["[redacted]","[redacted]"],"names":["x"]}`},
		{"non-string sensitive values stay",
			`{"ResetPasswordOnNextLogon":true,"tokenLifetime":3600,"secret":null,"next":"v"}`,
			`{"ResetPasswordOnNextLogon":true,"tokenLifetime":3600,"secret":null,"next":"v"}`},
		{"escaped key name",
			`{"pass\u0077ord":"hunter22"}`,
			`{"pass\u0077ord":"[redacted]"}`},
		{"escaped quote in the secret",
			`{"secretText":"a\"b\\","x":"y"}`,
			`{"secretText":"[redacted]","x":"y"}`},
		{"spaces and newlines",
			"{\n  \"client_secret\" :\n \"s3cr3t\"\n}",
			"{\n  \"client_secret\" :\n \"[redacted]\"\n}"},
		{"truncated inside the secret",
			`{"value":[{"secretText":"Qx8~plant`,
			`{"value":[{"secretText":"[redacted]`},
		{"truncated after the key",
			`{"secretText":`,
			`{"secretText":`},
		{"batch response",
			`{"responses":[{"id":"1","status":200,"body":{"secretText":"v1"}},{"id":"2","status":201,"body":{"secretText":"v2"}}]}`,
			`{"responses":[{"id":"1","status":200,"body":{"secretText":"[redacted]"}},{"id":"2","status":201,"body":{"secretText":"[redacted]"}}]}`},
		{"a value that looks like a key name is a value",
			`{"name":"password","other":"x"}`,
			`{"name":"password","other":"x"}`},
		{"not JSON", `plain text with "quotes": and colons`, `plain text with "quotes": and colons`},
		{"empty", ``, ``},
		{"lone quote", `"`, `"`},
		{"unbalanced closers", `]]}}"a":"b"`, `]]}}"a":"b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, RedactJSON(tt.in)); diff != "" {
				t.Errorf("RedactJSON(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRedactorBody(t *testing.T) {
	const quotedSecret = `se"cr\et-42`
	r := NewRedactor(plantedSecret, quotedSecret)
	tests := []struct {
		name, contentType, in, want string
	}{
		{"token request with a secret",
			"application/x-www-form-urlencoded; charset=utf-8",
			"client_id=app&client_secret=" + url.QueryEscape(plantedSecret) + "&grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default",
			"client_id=app&client_secret=[redacted]&grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default"},
		{"token request with an assertion",
			"application/x-www-form-urlencoded",
			"client_assertion=" + plantedJWT + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_id=app",
			"client_assertion=[redacted]&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_id=app"},
		{"encoded field name", "application/x-www-form-urlencoded", "client%5Fsecret=abcdef&a=b", "client%5Fsecret=[redacted]&a=b"},
		{"form field without a value", "application/x-www-form-urlencoded", "client_secret&a=b", "client_secret&a=b"},
		{"json", "application/json; charset=utf-8", `{"secretText":"x1y2z3"}`, `{"secretText":"[redacted]"}`},
		{"known value in any field", "application/json", `{"note":"was ` + plantedSecret + `"}`, `{"note":"was [redacted]"}`},
		{"JSON-escaped known value", "application/json", `{"note":"` + strings.NewReplacer(`"`, `\"`, `\`, `\\`).Replace(quotedSecret) + `"}`, `{"note":"[redacted]"}`},
		{"jwt anywhere", "text/plain", "token " + plantedJWT + " end", "token [redacted] end"},
		{"control characters", "text/plain", "a\x1b[31mred\r\nb", `a\x1b[31mred\r\nb`},
		{"invalid content type", "???", `{"secretText":"x1y2z3"}`, `{"secretText":"[redacted]"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, r.Body(tt.contentType, []byte(tt.in))); diff != "" {
				t.Errorf("Body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRedactorHeader(t *testing.T) {
	r := NewRedactor(plantedSecret)
	tests := []struct {
		name, header, value, want string
	}{
		{"bearer", "Authorization", "Bearer " + plantedJWT, "[redacted]"},
		{"basic", "Authorization", "Basic YXBwOnNlY3JldA==", "[redacted]"},
		{"cookie", "Cookie", "session=abc", "[redacted]"},
		{"set-cookie", "Set-Cookie", "fpc=abc; path=/", "[redacted]"},
		{"token header", "X-Ms-Token-Aad-Id-Token", "abc", "[redacted]"},
		{"plain", "Content-Type", "application/json", "application/json"},
		{"challenge stays readable", "Www-Authenticate", `Bearer realm="", error="invalid_token"`, `Bearer realm="", error="invalid_token"`},
		{"jwt in another header", "X-Debug", "got " + plantedJWT, "got [redacted]"},
		{"known value in another header", "X-Note", plantedSecret, "[redacted]"},
		{"control characters", "X-Note", "a\nb", `a\nb`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Header(tt.header, tt.value); got != tt.want {
				t.Errorf("Header(%q, %q) = %q, want %q", tt.header, tt.value, got, tt.want)
			}
		})
	}
}

func TestRedactorURL(t *testing.T) {
	r := NewRedactor(plantedSecret)
	tests := []struct {
		name, in, want string
	}{
		{"graph list", "https://graph.microsoft.com/v1.0/applications?$select=id,appId&$top=999",
			"https://graph.microsoft.com/v1.0/applications?$select=id,appId&$top=999"},
		{"paging cursor stays", "https://graph.microsoft.com/v1.0/users?$skiptoken=X1Y2", "https://graph.microsoft.com/v1.0/users?$skiptoken=X1Y2"},
		{"token in the query", "https://example.com/cb?code=1&access_token=abc&state=s", "https://example.com/cb?code=1&access_token=[redacted]&state=s"},
		{"user information", "https://app:" + url.QueryEscape(plantedSecret) + "@example.com/x", "https://example.com/x"},
		{"known value in the path", "https://example.com/" + plantedSecret, "https://example.com/[redacted]"},
		{"fragment dropped", "https://example.com/x#access_token=abc", "https://example.com/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := r.URL(u); got != tt.want {
				t.Errorf("URL(%s) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	if got := r.URL(nil); got != "" {
		t.Errorf("URL(nil) = %q", got)
	}
}

func TestRedactorText(t *testing.T) {
	tests := []struct {
		name    string
		secrets []string
		in      string
		want    string
	}{
		{"value", []string{plantedSecret}, "secret " + plantedSecret + ".", "secret [redacted]."},
		{"URL-encoded value", []string{"a b+c/d"}, "x=a+b%2Bc%2Fd", "x=[redacted]"},
		{"longest first", []string{"abc", "abcdef"}, "abcdef abc", "[redacted] [redacted]"},
		{"short values are ignored", []string{"ab", ""}, "ab cd", "ab cd"},
		{"surrounding space ignored", []string{" padded-secret \n"}, "x padded-secret y", "x [redacted] y"},
		{"jwt", nil, "Bearer " + plantedJWT, "Bearer [redacted]"},
		{"jwt without signature", nil, "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.", "[redacted]"},
		{"ordinary text", nil, "eye of the storm: eyJ", "eye of the storm: eyJ"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewRedactor(tt.secrets...).Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
	var nilRedactor *Redactor
	if got := nilRedactor.Text("Bearer " + plantedJWT); got != "Bearer [redacted]" {
		t.Errorf("nil Redactor: %q", got)
	}
}
