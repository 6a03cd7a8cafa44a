package sim

// recipientTypeDetailsValues are the RecipientTypeDetails values
// Get-Recipient accepts (the recipient kinds of Exchange Online); the sim's
// recipients are only UserMailbox and SharedMailbox, so the others match
// nothing.
var recipientTypeDetailsValues = []string{"DiscoveryMailbox", "DynamicDistributionGroup", "EquipmentMailbox", "GroupMailbox",
	"GuestMailUser", "LegacyMailbox", "LinkedMailbox", "LinkedRoomMailbox", "MailContact", "MailForestContact",
	"MailNonUniversalGroup", "MailUniversalDistributionGroup", "MailUniversalSecurityGroup", "MailUser",
	"PublicFolder", "RoleGroup", "RoomList", "RoomMailbox", "SchedulingMailbox", "SharedMailbox", "TeamMailbox", "UserMailbox"}

// getRecipientCmdlet is Get-Recipient over the sim's recipients (user and
// shared mailboxes): the cheap directory-wide listing clients use to map
// names and addresses to recipients.
func getRecipientCmdlet() *cmdlet {
	return &cmdlet{
		name: "Get-Recipient",
		params: []paramSpec{
			{name: "Identity", docType: "RecipientIdParameter", kind: kindIdentity},
			{name: "Filter", docType: "String", kind: kindString},
			{name: "RecipientTypeDetails", docType: "RecipientTypeDetails[]", kind: kindMulti},
			{name: "ResultSize", docType: "Unlimited", kind: kindUnlimited},
		},
		run: getRecipient,
	}
}

func getRecipient(x *cmdContext, p params) (*cmdResult, *exError) {
	types, e := rcpRecipientTypeDetails(p, recipientTypeDetailsValues)
	if e != nil {
		return nil, e
	}
	var list []*mailbox
	if p.has("Identity") {
		_, m, e := resolveMailbox(x, p["Identity"].str, false)
		if e != nil {
			return nil, e
		}
		list = []*mailbox{m}
	} else {
		list = mailboxList(x)
	}
	if list, e = selectMailboxes(list, types, p, false); e != nil {
		return nil, e
	}
	res := &cmdResult{render: renderRecipientKey}
	list, res.warnings = applyResultSize(list, p)
	res.keys = mailboxGuids(list)
	return res, nil
}

// renderRecipientKey renders the recipient with Guid key as reads see it now.
func renderRecipientKey(x *cmdContext, key string) (object, bool) {
	m := visibleMailbox(x, key)
	if m == nil {
		return nil, false
	}
	return renderRecipient(x.st, m), true
}

// renderRecipient is Get-Recipient's output object: the identity, address
// and type properties every recipient has.
func renderRecipient(st *state, m *mailbox) object {
	b := objBuilder{o: make(object, 0, 48)}
	b.val("Alias", m.Alias)
	b.val("DisplayName", m.DisplayName)
	b.val("Name", m.Name)
	b.val("PrimarySmtpAddress", m.primary())
	b.val("WindowsLiveID", m.UserPrincipalName)
	b.strs("EmailAddresses", m.EmailAddresses)
	b.val("RecipientType", "UserMailbox")
	b.val("RecipientTypeDetails", m.recipientTypeDetails())
	b.val("ExternalDirectoryObjectId", m.ExternalDirectoryObjectId)
	b.guid("ExchangeGuid", m.ExchangeGuid)
	b.val("HiddenFromAddressListsEnabled", m.Settings.boolOf(&mailboxSettings[0]))
	m.Settings.render(&b, customAttributeSettings)
	recipientTail(&b, st, m)
	return b.o
}
