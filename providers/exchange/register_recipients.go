package exchange

import "github.com/exoform/exoform/providers"

// registerRecipients registers the recipient-side resource types (transport and organization
// configuration, CAS mailboxes, shared mailboxes, mailbox permissions, inbox rules) and the
// configuration check that needs several of them (recipientConfigWarnings).
func registerRecipients(r *providers.Registry, c invoker) {
	r.AddResource(&transportConfig{c: c})
	r.AddResource(&organizationConfig{c: c})
	r.AddResource(&casMailbox{c: c})
	r.AddResource(&sharedMailbox{c: c})
	r.AddResource(&mailboxPermissions{c: c})
	r.AddResource(&inboxRule{c: c})
	r.AddConfigCheck(recipientConfigWarnings)
}
