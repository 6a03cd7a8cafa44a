package sim

import "time"

// recipientsState holds the recipient side of the Exchange tenant: mailboxes and their CAS
// settings, permissions and inbox rules, and the transport and organization configuration.
type recipientsState struct{}

func (r *recipientsState) ensure()           {}
func (r *recipientsState) compact(time.Time) {}

// seedRecipients adds the demo tenant's recipients.
func seedRecipients(st *state) {}

// recipientCmdlets lists the recipient-side cmdlets.
func recipientCmdlets() []*cmdlet { return nil }
