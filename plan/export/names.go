package export

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// maxName bounds a block name; longer keys are cut and told apart by a hash.
const maxName = 60

// slug turns an object's key into a block name as exoform's names allow them: lower-case
// ASCII letters and digits, with accents taken off ("Müller" → "muller"), runs of anything
// else as one underscore, starting with a letter or an underscore.
func slug(key string) string {
	var b strings.Builder
	under := false
	for _, r := range norm.NFD.String(strings.ToLower(key)) {
		if unicode.Is(unicode.Mn, r) {
			continue // the accent of a letter before it
		}
		if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
			continue
		}
		under = true
	}
	s := b.String()
	if s == "" {
		return "object"
	}
	if s[0] < 'a' {
		s = "_" + s
	}
	if rs := []rune(s); len(rs) > maxName {
		s = strings.TrimRight(string(rs[:maxName]), "_") + "_" + hash(key)
	}
	return s
}

// hash is a short, stable digest of a key, to tell apart keys whose slugs are equal.
func hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:3])
}

// names gives each key a block name that depends only on the key: its slug, or, where two
// keys share a slug ("Partner A" and "partner-a"), the slug and a hash of the key, for both.
// Adding an object to the tenant therefore never renames another one, except the one whose
// slug it takes.
func names(keys []string) map[string]string {
	bySlug := map[string][]string{}
	for _, k := range keys {
		s := slug(k)
		bySlug[s] = append(bySlug[s], k)
	}
	out := make(map[string]string, len(keys))
	taken := map[string]bool{}
	for s, ks := range bySlug {
		if len(ks) == 1 {
			out[ks[0]] = s
			taken[s] = true
		}
	}
	for s, ks := range bySlug {
		if len(ks) == 1 {
			continue
		}
		for _, k := range ks {
			n := s + "_" + hash(k)
			if taken[n] { // another key's own slug: the whole digest tells them apart
				sum := sha256.Sum256([]byte(k))
				n = s + "_" + hex.EncodeToString(sum[:])
			}
			out[k] = n
			taken[n] = true
		}
	}
	return out
}
