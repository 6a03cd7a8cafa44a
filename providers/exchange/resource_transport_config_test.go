package exchange_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers/exchange"
)

// TestTransportConfigEnvelopeLimitIsCanonical: max_recipient_envelope_limit is compared as text
// with what Get-TransportConfig reports, so a number must be written as Exchange writes it;
// "0500" would never converge and is refused with the spelling to use.
func TestTransportConfigEnvelopeLimitIsCanonical(t *testing.T) {
	a := exchange.TransportConfigType.Attribute("max_recipient_envelope_limit")
	tests := []struct {
		value, want string // want: "" for accepted
	}{
		{"Unlimited", ""},
		{"unlimited", ""}, // compared case-insensitively, sent as Unlimited
		{"0", ""},
		{"500", ""},
		{"2147483647", ""},
		{"0500", `Write 500, not "0500": Exchange reports the number without a sign or leading zeros, so any other spelling would show as a change in every plan.`},
		{"+500", `Write 500, not "+500": Exchange reports the number without a sign or leading zeros, so any other spelling would show as a change in every plan.`},
		{"00", `Write 0, not "00": Exchange reports the number without a sign or leading zeros, so any other spelling would show as a change in every plan.`},
		{"-1", `"-1" is neither a number from 0 to 2147483647 nor "Unlimited".`},
		{"500 ", `"500 " is neither a number from 0 to 2147483647 nor "Unlimited".`},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, a.CheckValue(schemaValue(a, tc.value))); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
