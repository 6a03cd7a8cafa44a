package sim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
)

// tokenClaims are the access token claims the sim issues, shaped like an
// Entra v1.0 app-only token (what Exchange Online receives): the resource in
// aud, the tenant in tid, the app in appid, application permissions in roles
// and directory role template ids in wids.
type tokenClaims struct {
	Aud      string   `json:"aud"`
	Iss      string   `json:"iss"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf"`
	Exp      int64    `json:"exp"`
	AppID    string   `json:"appid"`
	AppIDACR string   `json:"appidacr"`
	IDP      string   `json:"idp"`
	IDType   string   `json:"idtyp"`
	OID      string   `json:"oid"`
	Sub      string   `json:"sub"`
	TID      string   `json:"tid"`
	Roles    []string `json:"roles"`
	WIDs     []string `json:"wids"`
	UTI      string   `json:"uti"`
	Ver      string   `json:"ver"`
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

// signJWT returns an HS256 JWT of claims. Real Entra tokens are RS256 with
// keys published at jwks_uri; a symmetric key kept in the state file is
// enough here because only the sim validates its tokens (doc.go).
func signJWT(key []byte, claims *tokenClaims) (string, error) {
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(hs256(key, unsigned)), nil
}

// verifyJWT checks the signature and decodes the claims; the caller checks
// times, audience and tenant, to report each failure precisely.
func verifyJWT(key []byte, token string) (*tokenClaims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a JWT")
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, errors.New("the token header is not base64url")
	}
	var hdr struct {
		Alg string `json:"alg"`
	}
	if json.Unmarshal(hb, &hdr) != nil || hdr.Alg != "HS256" {
		return nil, errors.New("the token is not signed by this tenant")
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, hs256(key, parts[0]+"."+parts[1])) {
		return nil, errors.New("the token signature is invalid")
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("the token payload is not base64url")
	}
	var c tokenClaims
	if err := json.Unmarshal(pb, &c); err != nil {
		return nil, errors.New("the token payload is not valid JSON")
	}
	return &c, nil
}

func hs256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
