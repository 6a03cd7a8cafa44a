package exchange

import "github.com/exoform/exoform/providers"

// The cmdlets each type sends (providers.APIDescriber), for the reference documentation: reads
// are the bulk Get- of ReadAll or ReadKeys, which a guard also sends for the one object. A call
// is listed by its cmdlet whatever carries it: a bulk recipient read may be split into parts
// by -Filter (partition.go), and per-mailbox reads travel ten to an Exchange $batch request
// (batch.go). The
// lists are held to what the types emit against the simulated tenant (apidoc_test.go), so a
// cmdlet added to a type's code without being listed here fails the tests.

var (
	_ providers.APIDescriber = (*inboundConnector)(nil)
	_ providers.APIDescriber = (*transportRule)(nil)
	_ providers.APIDescriber = (*inboxRule)(nil)
	_ providers.APIDescriber = (*transportConfig)(nil)
	_ providers.APIDescriber = (*organizationConfig)(nil)
	_ providers.APIDescriber = (*casMailbox)(nil)
	_ providers.APIDescriber = (*sharedMailbox)(nil)
	_ providers.APIDescriber = (*mailboxPermissions)(nil)
	_ providers.APIDescriber = (*appAccessPolicy)(nil)
	_ providers.APIDescriber = (*managementScope)(nil)
	_ providers.APIDescriber = (*roleAssignment)(nil)
	_ providers.APIDescriber = (*servicePrincipal)(nil)
)

// cmdlet is one Exchange cmdlet and its purposes.
func cmdlet(name string, purposes ...providers.Purpose) providers.Call {
	return providers.Call{Service: providers.Exchange, Name: name, Purposes: purposes}
}

// cmdletFamily is the Get-/New-/Set-/Remove- family of a type keyed by its name: Remove- only
// for types whose objects exoform may delete (those that carry an ownership marker).
func cmdletFamily(noun string, deletes bool) []providers.Call {
	calls := []providers.Call{
		cmdlet("Get-"+noun, providers.PurposeRead, providers.PurposeGuard),
		cmdlet("New-"+noun, providers.PurposeCreate),
		cmdlet("Set-"+noun, providers.PurposeUpdate),
	}
	if deletes {
		calls = append(calls, cmdlet("Remove-"+noun, providers.PurposeDelete))
	}
	return calls
}

// settingCalls are the calls of a settings type: read, and only ever updated.
func settingCalls(noun string) []providers.Call {
	return []providers.Call{
		cmdlet("Get-"+noun, providers.PurposeRead, providers.PurposeGuard),
		cmdlet("Set-"+noun, providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber.
func (r *inboundConnector) Calls() []providers.Call { return cmdletFamily("InboundConnector", true) }

// Calls implements providers.APIDescriber: an update switches a rule off with
// Disable-TransportRule and on with Enable-TransportRule, around its Set-TransportRule.
func (r *transportRule) Calls() []providers.Call {
	return []providers.Call{
		cmdlet("Get-TransportRule", providers.PurposeRead, providers.PurposeGuard),
		cmdlet("New-TransportRule", providers.PurposeCreate),
		cmdlet("Set-TransportRule", providers.PurposeUpdate),
		cmdlet("Enable-TransportRule", providers.PurposeUpdate),
		cmdlet("Disable-TransportRule", providers.PurposeUpdate),
		cmdlet("Remove-TransportRule", providers.PurposeDelete),
	}
}

// Calls implements providers.APIDescriber: inbox rules are read one Get-InboxRule -Mailbox per
// declared mailbox (batched), and never deleted.
func (r *inboxRule) Calls() []providers.Call { return cmdletFamily("InboxRule", false) }

// Calls implements providers.APIDescriber.
func (r *transportConfig) Calls() []providers.Call { return settingCalls("TransportConfig") }

// Calls implements providers.APIDescriber.
func (r *organizationConfig) Calls() []providers.Call { return settingCalls("OrganizationConfig") }

// Calls implements providers.APIDescriber.
func (r *casMailbox) Calls() []providers.Call { return settingCalls("CASMailbox") }

// Calls implements providers.APIDescriber: a shared mailbox is created by New-Mailbox -Shared
// followed by a Set-Mailbox of its other settings and the ownership marker.
func (r *sharedMailbox) Calls() []providers.Call {
	return []providers.Call{
		cmdlet("Get-Mailbox", providers.PurposeRead, providers.PurposeGuard),
		cmdlet("New-Mailbox", providers.PurposeCreate),
		cmdlet("Set-Mailbox", providers.PurposeCreate, providers.PurposeUpdate),
		cmdlet("Remove-Mailbox", providers.PurposeDelete),
	}
}

// Calls implements providers.APIDescriber: Full Access and Send As are read per declared
// mailbox (batched) with Get-MailboxPermission and Get-RecipientPermission -Identity.
func (r *mailboxPermissions) Calls() []providers.Call {
	return []providers.Call{
		cmdlet("Get-MailboxPermission", providers.PurposeRead, providers.PurposeGuard),
		cmdlet("Get-RecipientPermission", providers.PurposeRead),
		cmdlet("Add-MailboxPermission", providers.PurposeUpdate),
		cmdlet("Remove-MailboxPermission", providers.PurposeUpdate),
		cmdlet("Add-RecipientPermission", providers.PurposeUpdate),
		cmdlet("Remove-RecipientPermission", providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber: a change of access_right replaces the policy
// (Remove- then New-), since Set-ApplicationAccessPolicy changes only its description.
func (r *appAccessPolicy) Calls() []providers.Call {
	return []providers.Call{
		cmdlet("Get-ApplicationAccessPolicy", providers.PurposeRead, providers.PurposeGuard),
		cmdlet("New-ApplicationAccessPolicy", providers.PurposeCreate, providers.PurposeUpdate),
		cmdlet("Set-ApplicationAccessPolicy", providers.PurposeUpdate),
		cmdlet("Remove-ApplicationAccessPolicy", providers.PurposeUpdate, providers.PurposeDelete),
	}
}

// Calls implements providers.APIDescriber: management scopes are never deleted.
func (r *managementScope) Calls() []providers.Call { return cmdletFamily("ManagementScope", false) }

// Calls implements providers.APIDescriber: a change of role replaces the assignment (Remove-
// then New-); assignments are otherwise never deleted.
func (r *roleAssignment) Calls() []providers.Call {
	return []providers.Call{
		cmdlet("Get-ManagementRoleAssignment", providers.PurposeRead, providers.PurposeGuard),
		cmdlet("New-ManagementRoleAssignment", providers.PurposeCreate, providers.PurposeUpdate),
		cmdlet("Set-ManagementRoleAssignment", providers.PurposeUpdate),
		cmdlet("Remove-ManagementRoleAssignment", providers.PurposeUpdate),
	}
}

// Calls implements providers.APIDescriber: Exchange service principals are never deleted.
func (r *servicePrincipal) Calls() []providers.Call { return cmdletFamily("ServicePrincipal", false) }
