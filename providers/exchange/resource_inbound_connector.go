package exchange

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// InboundConnectorType is exchange_inbound_connector: New/Set/Get/Remove-InboundConnector.
//
// Left out on purpose: ClientHostNames (undocumented, and on New only, so it cannot be compared
// or changed), and EFSkipMailGateway, EFTestMode and ScanAndDropRecipients, which Microsoft
// reserves for its own use.
var InboundConnectorType = &schema.ResourceType{
	Name:        "exchange_inbound_connector",
	Description: "An inbound connector: which partner or on-premises servers may send mail into the organization, identified by sender domains, IP addresses or TLS certificate.",
	Keys:        []string{"name"},
	Attributes: []*schema.Attribute{
		{Name: "name", Wire: "Name", Type: cty.String, Required: true, FoldCase: true,
			Description: "The connector's name; exoform finds the connector by it.", Validate: connectorName},
		{Name: "connector_type", Wire: "ConnectorType", Type: cty.String, Enum: []string{"Partner", "OnPremises"},
			Description: "Partner for external partners or services; OnPremises for your own servers (grants relay and internal treatment)."},
		{Name: "connector_source", Wire: "ConnectorSource", Type: cty.String, Enum: []string{"Default", "HybridWizard", "Migrated"},
			Description: "How the connector was created; Default for a manually created connector."},
		{Name: "enabled", Wire: "Enabled", Type: cty.Bool, Description: "Whether the connector is enabled (Exchange's default: true)."},
		{Name: "comment", Wire: "Comment", Type: cty.String, Validate: noMarker,
			Description: "Your comment. exoform keeps its ownership marker on a separate last line of the same field."},
		{Name: "sender_domains", Wire: "SenderDomains", Type: cty.Set(cty.String), Required: true, FoldCase: true, Validate: senderDomain,
			Description: "Source domains the connector accepts mail for: contoso.com, *.contoso.com for a domain and its subdomains, or * for all."},
		{Name: "sender_ip_addresses", Wire: "SenderIPAddresses", Type: cty.Set(cty.String), Validate: senderIPAddress,
			Description: "Source IPv4 addresses or CIDR ranges (/24 to /32) the connector accepts mail from."},
		{Name: "restrict_domains_to_ip_addresses", Wire: "RestrictDomainsToIPAddresses", Type: cty.Bool,
			Description: "Reject mail from the sender domains unless it comes from sender_ip_addresses."},
		{Name: "require_tls", Wire: "RequireTls", Type: cty.Bool, Description: "Reject messages not sent over TLS."},
		{Name: "tls_sender_certificate_name", Wire: "TlsSenderCertificateName", Type: cty.String, FoldCase: true, Validate: wildcardDomain,
			Description: "The domain in the subject of the sender's TLS certificate (a wildcard only as the first label)."},
		{Name: "restrict_domains_to_certificate", Wire: "RestrictDomainsToCertificate", Type: cty.Bool,
			Description: "Accept mail only when the sender's TLS certificate matches tls_sender_certificate_name."},
		{Name: "associated_accepted_domains", Wire: "AssociatedAcceptedDomains", Type: cty.Set(cty.String), FoldCase: true, Validate: smtpDomain,
			Description: "Accepted domains of your organization that the connector is restricted to."},
		{Name: "cloud_services_mail_enabled", Wire: "CloudServicesMailEnabled", Type: cty.Bool,
			Description: "Preserve cross-premises headers for hybrid mail flow. Microsoft recommends leaving this to the Hybrid Configuration wizard."},
		{Name: "treat_messages_as_internal", Wire: "TreatMessagesAsInternal", Type: cty.Bool,
			Description: "Treat messages from an on-premises organization without Exchange as internal (they bypass anti-spam filtering)."},
		{Name: "trusted_organizations", Wire: "TrustedOrganizations", Type: cty.Set(cty.String), FoldCase: true, Validate: smtpDomain,
			Description: "Other Microsoft 365 organizations that are trusted mail sources."},
		{Name: "ef_skip_ips", Wire: "EFSkipIPs", Type: cty.Set(cty.String), Validate: efSkipIP,
			Description: "Source IPs that Enhanced Filtering for Connectors skips when ef_skip_last_ip is false: addresses, ranges (a-b) or CIDR ranges."},
		{Name: "ef_skip_last_ip", Wire: "EFSkipLastIP", Type: cty.Bool,
			Description: "Enhanced Filtering skips only the last message source (true), or the ef_skip_ips (false)."},
		{Name: "ef_users", Wire: "EFUsers", Type: cty.Set(cty.String), FoldCase: true, Validate: recipient,
			Description: "Recipients Enhanced Filtering applies to; unset applies it to all."},
	},
	Check: checkInboundConnector,
}

func connectorName(s string) string {
	if strings.TrimSpace(s) == "" {
		return "The connector name must not be empty."
	}
	if n := utf8.RuneCountInString(s); n > 64 {
		return fmt.Sprintf("The connector name is %d characters long; keep it to 64.", n)
	}
	return ""
}

func noMarker(s string) string {
	if strings.Contains(s, providers.MarkerPrefix) {
		return "The comment contains exoform's ownership marker text. Remove it: exoform writes the marker itself."
	}
	return ""
}

// checkInboundConnector warns about combinations that Exchange accepts but that make a
// connector match no mail. Microsoft documents no error for them, so they are warnings.
func checkInboundConnector(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	isTrue := func(name string) bool {
		v := obj.GetAttr(name)
		return !v.IsNull() && v.True()
	}
	empty := func(name string) bool {
		v := obj.GetAttr(name)
		return v.IsNull() || v.LengthInt() == 0
	}
	if isTrue("restrict_domains_to_ip_addresses") && empty("sender_ip_addresses") {
		out = append(out, schema.AttrProblem{Attr: "restrict_domains_to_ip_addresses", Summary: "No sender IP addresses to restrict to", Warning: true,
			Detail: "restrict_domains_to_ip_addresses = true rejects mail that does not come from sender_ip_addresses, and none are set. Add sender_ip_addresses or set this to false."})
	}
	if isTrue("restrict_domains_to_certificate") && obj.GetAttr("tls_sender_certificate_name").IsNull() {
		out = append(out, schema.AttrProblem{Attr: "restrict_domains_to_certificate", Summary: "No certificate name to restrict to", Warning: true,
			Detail: "restrict_domains_to_certificate = true needs tls_sender_certificate_name, the domain in the sender's certificate subject."})
	}
	if t := obj.GetAttr("connector_type"); !t.IsNull() && t.AsString() == "OnPremises" &&
		empty("sender_ip_addresses") && obj.GetAttr("tls_sender_certificate_name").IsNull() {
		out = append(out, schema.AttrProblem{Attr: "connector_type", Summary: "On-premises connector without a way to recognise the servers", Warning: true,
			Detail: "An OnPremises connector identifies your servers by sender_ip_addresses or tls_sender_certificate_name. Set one of them."})
	}
	return out
}

// invoker is what resources need of the InvokeCommand client.
// invoker is what the resource types need of the Client: one cmdlet (all pages, or page by
// page) and read cmdlets batched.
type invoker interface {
	Invoke(ctx context.Context, cmdlet string, params providers.Params) (*Result, error)
	InvokePages(ctx context.Context, cmdlet string, params providers.Params, fn func(*Page) error) error
	InvokeBatch(ctx context.Context, items []BatchItem) ([]BatchResult, error)
}

type inboundConnector struct{ c invoker }

func (r *inboundConnector) Type() *schema.ResourceType { return InboundConnectorType }

func (r *inboundConnector) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	res, err := r.c.Invoke(ctx, "Get-InboundConnector", providers.Params{{Name: "ResultSize", Value: "Unlimited"}})
	if err != nil {
		return nil, err
	}
	if len(res.Errors) > 0 {
		// Part of the list may be missing; an incomplete read must not look like absence.
		return nil, fmt.Errorf("Get-InboundConnector reported errors, so the list may be incomplete: %s", strings.Join(res.Errors, "; "))
	}
	out := make([]providers.LiveObject, 0, len(res.Objects))
	for i, o := range res.Objects {
		lo, err := liveObject(InboundConnectorType, "Comment", o)
		if err != nil {
			return nil, fmt.Errorf("Get-InboundConnector: object %d: %w", i, err)
		}
		out = append(out, lo)
	}
	return out, nil
}

func (r *inboundConnector) Compile(c providers.Change) ([]providers.Operation, error) {
	return compileCmdlets(InboundConnectorType, "InboundConnector", "Comment", c)
}

// inboundConnectorGuard: see Guard.
var inboundConnectorGuard = &guardSpec{t: InboundConnectorType, unchecked: map[string]string{
	"comment": guardMarkerText,
	// Exchange may report each domain as smtp:<domain>;1 (wire-formats A12), which the read
	// normalises (normaliseMulti): the property as read need not equal the configured domains.
	"sender_domains": "reported as smtp:<domain>;1 by some Exchange versions and normalised by the read",
}}

// Guard reads the connector with Get-InboundConnector -Identity <name>, compares every attribute
// but the comment's text and the sender domains, and checks the ownership marker in Comment.
func (r *inboundConnector) Guard(c providers.Change) (providers.Guard, error) {
	return guardByIdentity(inboundConnectorGuard, "Get-InboundConnector", "Comment", c)
}
