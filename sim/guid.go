package sim

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// newGUID returns a random (version 4) GUID in the lower-case canonical form
// Microsoft services print.
func newGUID() string {
	var b [16]byte
	copy(b[:], randomBytes(16))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return formatGUID(b)
}

// simNamespace is the namespace for name-based GUIDs, so that a tenant seeded
// from the same domain gets the same GUIDs on every machine (demos and docs can
// then quote them).
var simNamespace = [16]byte{0x6b, 0x1e, 0x5c, 0x0a, 0x3d, 0x29, 0x4f, 0x62, 0x9a, 0x71, 0x0c, 0x5e, 0x84, 0x2b, 0xd7, 0x13}

// nameGUID returns the RFC 4122 version 5 (SHA-1, name-based) GUID of name.
func nameGUID(name string) string {
	h := sha1.New()
	h.Write(simNamespace[:])
	h.Write([]byte(strings.ToLower(name)))
	var b [16]byte
	copy(b[:], h.Sum(nil))
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatGUID(b)
}

func formatGUID(b [16]byte) string {
	var buf [36]byte
	hex.Encode(buf[0:8], b[0:4])
	buf[8] = '-'
	hex.Encode(buf[9:13], b[4:6])
	buf[13] = '-'
	hex.Encode(buf[14:18], b[6:8])
	buf[18] = '-'
	hex.Encode(buf[19:23], b[8:10])
	buf[23] = '-'
	hex.Encode(buf[24:], b[10:])
	return string(buf[:])
}

// parseGUID accepts the canonical 8-4-4-4-12 form, optionally in braces and
// in any case, and returns it lower-cased. Exchange and Entra accept GUIDs in
// any case, so identities are compared on this normalised form.
func parseGUID(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	if len(s) != 36 {
		return "", false
	}
	for i, c := range s {
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return "", false
			}
		default:
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return "", false
			}
		}
	}
	return strings.ToLower(s), true
}

// randomBytes returns n bytes from crypto/rand. It never fails on supported
// platforms; randomness we cannot have is a broken machine, not a request
// error, so it panics.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("sim: reading random bytes: " + err.Error())
	}
	return b
}
