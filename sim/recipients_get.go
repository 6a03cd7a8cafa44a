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
	return getMailboxes(x, p, recipientTypeDetailsValues, false, func(x *cmdContext, m *mailbox) object { return renderRecipient(x.st, m) })
}

// getMailboxes is the read cmdlets over mailboxes (Get-Mailbox, Get-CASMailbox, Get-Recipient):
// the one mailbox -Identity names, or every mailbox reads see, kept by -RecipientTypeDetails
// (one of typeValues) and -Filter (cas: over Get-CASMailbox's properties), cut to -ResultSize.
// The result keeps only the mailboxes' Guids; render turns each into an output object when its
// page is served, so a nextLink page costs only its own objects.
func getMailboxes(x *cmdContext, p params, typeValues []string, cas bool, render func(*cmdContext, *mailbox) object) (*cmdResult, *exError) {
	types, e := rcpRecipientTypeDetails(p, typeValues)
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
	if list, e = selectMailboxes(list, types, p, cas); e != nil {
		return nil, e
	}
	res := &cmdResult{render: func(x *cmdContext, key string) (object, bool) {
		m := visibleMailbox(x, key) // as reads see it now
		if m == nil {
			return nil, false
		}
		return render(x, m), true
	}}
	list, res.warnings = applyResultSize(list, p)
	res.keys = mailboxGuids(list)
	return res, nil
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
