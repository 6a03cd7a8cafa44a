package exchange

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"
)

// TestInboxRuleFolderOfAnotherMailbox: the warning about a folder of another mailbox appears only
// when the folder's mailbox and the rule's are certainly different (two different addresses, or
// two different plain names); identities of different kinds may name one mailbox, which only the
// tenant can tell, so validation stays silent about them.
func TestInboxRuleFolderOfAnotherMailbox(t *testing.T) {
	tests := []struct {
		mailbox, folder string
		warn            bool
	}{
		{"support", `support@contoso.com:\Archive`, false},
		{"support@contoso.com", `support:\Archive`, false},
		{"support@contoso.com", `0b9d1c6e-0000-4000-8000-000000000001:\Archive`, false},
		{"0b9d1c6e-0000-4000-8000-000000000001", `0b9d1c6e-0000-4000-8000-000000000002:\Archive`, false}, // a mailbox has several GUIDs
		{"Support Desk", `support:\Archive`, false},                                                      // a display name and an alias
		{`CONTOSO\support`, `sales:\Archive`, false},
		{"Support@Contoso.com", `support@contoso.com:\Archive`, false},
		{"support", `SUPPORT:\Archive`, false},
		{"support", `Archive`, false},
		{"support@contoso.com", `sales@contoso.com:\Archive`, true},
		{"support", `sales:\Archive`, true},
	}
	for _, tc := range tests {
		t.Run(tc.mailbox+" "+tc.folder, func(t *testing.T) {
			attrs := map[string]cty.Value{}
			for _, a := range InboxRuleType.Attributes {
				attrs[a.Name] = cty.NullVal(a.Type)
			}
			attrs["mailbox"], attrs["name"] = cty.StringVal(tc.mailbox), cty.StringVal("R")
			attrs["move_to_folder"] = cty.StringVal(tc.folder)
			var got []string
			for _, p := range checkInboxRule(cty.ObjectVal(attrs)) {
				got = append(got, p.Attr+": "+p.Summary)
			}
			var want []string
			if tc.warn {
				want = []string{"move_to_folder: Folder of another mailbox"}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}
