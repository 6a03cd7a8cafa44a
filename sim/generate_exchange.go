package sim

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// connectors adds Options.Connectors inbound connectors of the kinds tenants
// accumulate: relays for devices and applications, enforced TLS with
// partners, partners restricted to their IP addresses, a third-party filter
// in front of Exchange Online (with enhanced filtering) and connectors of the
// Hybrid Configuration wizard. About one in eight is disabled. Each is
// bound like New-InboundConnector and built by the same function.
func (g *generator) connectors() error {
	r := g.rng("connectors")
	for i := 0; i < g.opts.Connectors; i++ {
		name, args := g.connectorArgs(r, i)
		name = g.unique("connector", name, 64)
		args["Name"] = name
		if chance(r, 0.12) {
			args["Enabled"] = false
		}
		if _, ok := args["Comment"]; !ok && chance(r, 0.5) {
			args["Comment"] = g.comment(r)
		}
		p, err := g.exchange("New-InboundConnector", args)
		if err != nil {
			return err
		}
		created := between(r, generateEpoch, generateNow.Add(-days(3)))
		c := newInboundConnector(g.guid("connector", strconv.Itoa(i)), name, created)
		if e := checkObjectName(name, 64); e != nil {
			return generatedInvalid("inbound connector", args, e)
		}
		if e := applyConnectorParams(g.st, c, p); e != nil {
			return generatedInvalid("inbound connector", args, e)
		}
		if chance(r, 0.4) {
			c.WhenChanged = between(r, created, generateNow)
		}
		g.st.Exchange.InboundConnectors[c.Guid] = &versioned[inboundConnector]{Current: c}
	}
	return nil
}

// connectorArgs returns a connector's base name and New-InboundConnector
// parameters (without Name).
func (g *generator) connectorArgs(r *rand.Rand, i int) (string, map[string]any) {
	own := rcpDefaultDomain(g.st)
	switch k := r.IntN(20); {
	case k < 6: // devices or an application relaying through Exchange Online
		name := "Scanner relay – " + pick(r, genRelaySites)
		if chance(r, 0.5) {
			name = pick(r, genRelayApps) + " relay"
		}
		domains := []string{own}
		if chance(r, 0.3) {
			domains = append(domains, "*."+own)
		}
		return name, map[string]any{
			"ConnectorType": "OnPremises", "SenderDomains": domains, "SenderIPAddresses": genIPs(r, 1+r.IntN(3), 32),
			"RestrictDomainsToIPAddresses": true, "RequireTls": chance(r, 0.3),
			"Comment": fmt.Sprintf("Ticket INC-%05d: relay for %s", 10000+r.IntN(90000), pick(r, genRelaySites)),
		}
	case k < 11: // enforced TLS with a partner
		co := pick(r, genCompanies)
		cert := "mail." + co.ascii
		if chance(r, 0.3) {
			cert = "*." + co.ascii
		}
		domains := []string{co.ascii}
		if chance(r, 0.25) {
			domains = append(domains, "*."+co.ascii)
		}
		name := "Partner " + co.display + " TLS"
		if chance(r, 0.5) {
			name = co.display + " – enforced TLS"
		}
		return name, map[string]any{
			"ConnectorType": "Partner", "SenderDomains": domains, "TlsSenderCertificateName": cert,
			"RequireTls": true, "RestrictDomainsToCertificate": true,
		}
	case k < 15: // a partner restricted to its servers' addresses
		co := pick(r, genCompanies)
		return co.display + " (IP restricted)", map[string]any{
			"ConnectorType": "Partner", "SenderDomains": []string{co.ascii}, "SenderIPAddresses": genIPs(r, 1+r.IntN(4), 26),
			"RestrictDomainsToIPAddresses": true, "RequireTls": chance(r, 0.6),
		}
	case k < 18: // a third-party filter in front of Exchange Online
		svc := pick(r, genFilterServices)
		ranges := genIPs(r, 2+r.IntN(3), 24)
		args := map[string]any{
			"ConnectorType": "Partner", "SenderDomains": []string{"*"}, "SenderIPAddresses": ranges,
			"RestrictDomainsToIPAddresses": true, "RequireTls": true, "TlsSenderCertificateName": "*." + svc.ascii,
			"Comment": "Inbound from " + svc.display + ". Don’t disable: MX points to " + svc.ascii + ".",
		}
		if chance(r, 0.5) {
			args["EFSkipIPs"] = skipRanges(ranges)
		} else {
			args["EFSkipLastIP"] = true
		}
		if chance(r, 0.2) && len(g.users) > 0 {
			args["EFUsers"] = []string{pick(r, g.users).UserPrincipalName}
		}
		return svc.display + " inbound", args
	default: // made by the Hybrid Configuration wizard, named after its GUID
		return "Inbound from " + g.guid("hybrid-connector", strconv.Itoa(i)), map[string]any{
			"ConnectorType": "OnPremises", "ConnectorSource": "HybridWizard", "CloudServicesMailEnabled": true,
			"SenderDomains": []string{"*"}, "TlsSenderCertificateName": "mail." + own,
			"RequireTls": true, "RestrictDomainsToCertificate": true,
		}
	}
}

// comment is a free-text note an administrator left on an object. None of
// them is an exoform ownership marker.
func (g *generator) comment(r *rand.Rand) string {
	switch r.IntN(5) {
	case 0:
		return fmt.Sprintf("Change CHG%07d, approved by %s %s", r.IntN(10000000), pick(r, genFirstNames), pick(r, genLastNames))
	case 1:
		return "Requested by " + pick(r, genTeams) + ". Review yearly."
	case 2:
		return fmt.Sprintf("Don’t change without asking %s (ticket INC-%05d)", pick(r, genTeams), 10000+r.IntN(90000))
	case 3:
		return "Vertraglich vereinbart – bitte nicht löschen."
	}
	return fmt.Sprintf("Created during the %d migration.", 2019+r.IntN(7))
}

// genIPs returns n distinct IPv4 addresses or ranges (prefix lengths from
// minBits to 32), canonical, from genPublicNets.
func genIPs(r *rand.Rand, n, minBits int) []string {
	var out []string
	for len(out) < n {
		var b [4]byte
		parts := strings.Split(pick(r, genPublicNets), ".")
		for i := range b {
			if i < len(parts) {
				v, _ := strconv.Atoi(parts[i])
				b[i] = byte(v)
			} else {
				b[i] = byte(1 + r.IntN(254))
			}
		}
		bits := 32
		if minBits < 32 && chance(r, 0.6) {
			bits = pick(r, slices.DeleteFunc([]int{24, 25, 26, 27, 28, 29}, func(b int) bool { return b < minBits }))
		}
		p := netip.PrefixFrom(netip.AddrFrom4(b), bits).Masked()
		s := p.String()
		if bits == 32 {
			s = p.Addr().String()
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// skipRanges writes addresses and CIDR ranges the way EFSkipIPs lists are
// often written: some as "first-last" ranges.
func skipRanges(list []string) []string {
	out := make([]string, 0, len(list))
	for i, s := range list {
		p, err := netip.ParsePrefix(s)
		if err != nil || i%2 == 0 {
			out = append(out, s)
			continue
		}
		last := p.Addr().As4()
		host := uint32(1)<<(32-p.Bits()) - 1
		v := uint32(last[0])<<24 | uint32(last[1])<<16 | uint32(last[2])<<8 | uint32(last[3]) | host
		end := netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
		out = append(out, p.Addr().String()+"-"+end.String())
	}
	return out
}

// ruleTemplate makes one kind of transport rule: its base name and the
// conditions, exceptions and actions as New-TransportRule parameters.
type ruleTemplate func(g *generator, r *rand.Rand) (string, map[string]any)

// ruleTemplates are the rules tenants accumulate, modelled on common
// administrator how-tos.
var ruleTemplates = []ruleTemplate{
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		return "Delete read receipts – " + pick(r, genSites).display, map[string]any{"MessageTypeMatches": "ReadReceipt", "DeleteMessage": true}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		args := map[string]any{"FromScope": "NotInOrganization",
			"PrependSubject": pick(r, []string{"[EXTERNAL] ", "[EXTERN] ", "[EXTERNE] ", "⚠ External: "})}
		if chance(r, 0.5) {
			args["ExceptIfSenderDomainIs"] = companyDomains(r, 1+r.IntN(3))
		}
		return "External sender warning – " + pick(r, genRegions).display, args
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		text := pick(r, []string{
			"<p style=\"font-size:8pt\">This e-mail is confidential. If you received it by mistake, please tell the sender and delete it.</p>",
			"<p>Diese E-Mail ist vertraulich. Wenn Sie sie irrtümlich erhalten haben, informieren Sie bitte den Absender und löschen Sie sie.</p>",
			"<p>Ce message est confidentiel. S’il vous a été adressé par erreur, merci d’en avertir l’expéditeur et de le supprimer.</p>",
		})
		return "Disclaimer – " + pick(r, genRegions).display, map[string]any{"FromScope": "InOrganization", "SentToScope": "NotInOrganization",
			"ApplyHtmlDisclaimerText": text, "ApplyHtmlDisclaimerLocation": pick(r, []string{"Append", "Prepend"}),
			"ApplyHtmlDisclaimerFallbackAction": pick(r, []string{"Wrap", "Ignore"})}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		return "Block executable attachments – " + pick(r, genRegions).display, map[string]any{"AttachmentHasExecutableContent": true,
			"RejectMessageReasonText":         "Executable attachments are blocked. Share the file through OneDrive instead.",
			"RejectMessageEnhancedStatusCode": pick(r, []string{"5.7.1", "5.7.901", "5.7.950"})}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		all := []string{"exe", "js", "vbs", "scr", "iso", "img", "hta", "cmd", "jar", "msi"}
		r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
		return "Quarantine risky attachment types – " + pick(r, genRegions).display, map[string]any{"AttachmentExtensionMatchesWords": all[:3+r.IntN(5)], "Quarantine": true}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		co := pick(r, genCompanies)
		return "Bypass spam filtering – " + co.display, map[string]any{"SenderDomainIs": []string{co.ascii}, "SetSCL": "-1"}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		return "Skip spam filter for " + pick(r, genRelaySites), map[string]any{"SenderIpRanges": genIPs(r, 1+r.IntN(3), 28), "SetSCL": "-1"}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		to := g.someAddress(r, "info")
		return "BCC to archive – " + strings.Split(to, "@")[0], map[string]any{"SentTo": []string{to},
			"BlindCopyTo": []string{"archive@" + rcpDefaultDomain(g.st)}}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		app := pick(r, genRelayApps)
		return "Tag mail from " + app, map[string]any{"HeaderContainsMessageHeader": "X-Mailer", "HeaderContainsWords": []string{app},
			"SetHeaderName": "X-Source-App", "SetHeaderValue": strings.ToLower(strings.ReplaceAll(app, " ", "-"))}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		mb := pick(r, []int{10, 20, 25, 35, 50})
		return fmt.Sprintf("Reject attachments over %d MB – %s", mb, pick(r, genRegions).display), map[string]any{"AttachmentSizeOver": fmt.Sprintf("%d MB", mb),
			"RejectMessageReasonText": fmt.Sprintf("Attachments larger than %d MB are not accepted; use a sharing link.", mb)}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		args := map[string]any{"FromScope": "NotInOrganization",
			"SubjectOrBodyContainsWords": []string{"invoice overdue", "Rechnung überfällig", "payment details changed", "changement de RIB"}}
		if chance(r, 0.5) {
			args["SetSCL"] = "9"
		} else {
			args["Quarantine"] = true
		}
		return "Invoice fraud keywords – " + pick(r, genRegions).display, args
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		own := rcpDefaultDomain(g.st)
		return "Redirect applications to recruiting – " + pick(r, genRegions).display, map[string]any{"SentTo": []string{"jobs@" + own},
			"RedirectMessageTo": []string{g.someAddress(r, "recruiting")}}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		return "Report confidential mail – " + pick(r, genRegions).display, map[string]any{
			"SubjectContainsWords": []string{"Confidential", "Vertraulich", "Confidentiel"}, "SentToScope": "NotInOrganization",
			"GenerateIncidentReport": "compliance@" + rcpDefaultDomain(g.st), "IncidentReportContent": []string{"Sender", "Recipients", "Subject"}}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		return "Block auto-forwarding to external – " + pick(r, genRegions).display, map[string]any{"MessageTypeMatches": "AutoForward", "SentToScope": "NotInOrganization",
			"RejectMessageReasonText": "Automatic forwarding to external addresses is not allowed.", "RejectMessageEnhancedStatusCode": "5.7.1"}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		h := pick(r, []string{"X-Originating-IP", "X-Mailer", "X-Internal-Route", "X-Scanner-Id"})
		return "Strip " + h + " – " + pick(r, genRegions).display, map[string]any{"RemoveHeader": h}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		var from []string
		for range 1 + r.IntN(3) {
			if a := pick(r, g.users).UserPrincipalName; !slices.Contains(from, a) {
				from = append(from, a)
			}
		}
		return "Mark mail from " + pick(r, genTeams) + " as important", map[string]any{"From": from, "SetHeaderName": "X-Priority", "SetHeaderValue": "1"}
	},
	func(g *generator, r *rand.Rand) (string, map[string]any) {
		site := pick(r, genSites)
		return "Copy " + site.display + " mail to the DMS", map[string]any{"SentTo": []string{g.someAddress(r, "p-"+site.ascii)},
			"BlindCopyTo": []string{"dms-import@" + rcpDefaultDomain(g.st)}}
	},
}

// companyDomains returns n distinct partner domains.
func companyDomains(r *rand.Rand, n int) []string {
	var out []string
	for len(out) < n {
		if d := pick(r, genCompanies).ascii; !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// someAddress is a generated shared mailbox's address, or fallback@ the
// default domain when there are none.
func (g *generator) someAddress(r *rand.Rand, fallback string) string {
	if len(g.shared) > 0 {
		return pick(r, g.shared).primary()
	}
	return fallback + "@" + rcpDefaultDomain(g.st)
}

// transportRules adds Options.TransportRules rules after the existing ones,
// in priority order: mostly enforced, some in audit mode, about one in seven
// disabled, some with comments, a stop-processing flag or an activation
// window. Each is bound like New-TransportRule and built by the same
// function, which checks it as a whole.
func (g *generator) transportRules() error {
	r := g.rng("rules")
	first := len(g.st.Exchange.TransportRules)
	for i := 0; i < g.opts.TransportRules; i++ {
		base, args := pick(r, ruleTemplates)(g, r)
		name := g.unique("rule", base, 64)
		args["Name"] = name
		switch k := r.IntN(10); {
		case k == 0:
			args["Mode"] = "Audit"
		case k == 1:
			args["Mode"] = "AuditAndNotify"
		}
		if chance(r, 0.15) {
			args["Enabled"] = false
		}
		if chance(r, 0.4) {
			args["Comments"] = g.comment(r)
		}
		if chance(r, 0.1) {
			args["StopRuleProcessing"] = true
		}
		if chance(r, 0.1) {
			args["SenderAddressLocation"] = "HeaderOrEnvelope"
		}
		if chance(r, 0.08) {
			from := between(r, generateNow.Add(-days(400)), generateNow.Add(days(60))).Truncate(24 * time.Hour)
			args["ActivationDate"] = from.Format("2006-01-02T15:04:05")
			args["ExpiryDate"] = from.Add(days(7 + r.IntN(30))).Format("2006-01-02T15:04:05")
		}
		p, err := g.exchange("New-TransportRule", args)
		if err != nil {
			return err
		}
		created := between(r, generateEpoch, generateNow.Add(-days(1)))
		rule := newTransportRule(g.guid("rule", strconv.Itoa(i)), name, created)
		rule.Priority = first + i
		if v, ok := p["Enabled"]; ok && !v.b {
			rule.State = "Disabled"
		}
		if e := checkObjectName(name, 64); e != nil {
			return generatedInvalid("transport rule", args, e)
		}
		if e := applyRuleParams(rule, p); e != nil {
			return generatedInvalid("transport rule", args, e)
		}
		if chance(r, 0.5) {
			rule.WhenChanged = between(r, created, generateNow)
		}
		g.st.Exchange.TransportRules[rule.Guid] = &versioned[transportRule]{Current: rule}
	}
	return nil
}
