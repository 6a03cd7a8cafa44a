package exchange

import (
	"context"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// TransportConfigType is exchange_transport_config: the organization's transport settings
// (Get-TransportConfig / Set-TransportConfig), a singleton. In Exchange Online neither cmdlet
// takes -Identity.
//
// Left out because Microsoft's cmdlet reference marks them as not applicable to Exchange Online
// (the service manages them): InternalSMTPServers, MaxReceiveSize, MaxSendSize,
// TLSReceiveDomainSecureList, TLSSendDomainSecureList, the shadow redundancy and
// safety-net settings, and the DSN attachment sizes. VoicemailJournalingEnabled is listed but
// "functional only in on-premises Exchange"; the DSN languages and MessageExpiration are
// culture and time-span values whose read-back format is not documented.
var TransportConfigType = &schema.ResourceType{
	Name:        "exchange_transport_config",
	Description: "The organization-wide transport settings: SMTP AUTH, legacy TLS clients, recipient limits, reply-all storm protection and delivery status notifications.",
	Kind:        schema.Setting,
	Attributes: []*schema.Attribute{
		{Name: "smtp_client_authentication_disabled", Wire: "SmtpClientAuthenticationDisabled", Type: cty.Bool,
			Description: "Disable SMTP AUTH for the whole organization (the default for organizations created after January 2020). A mailbox's own setting (exchange_cas_mailbox) takes precedence."},
		{Name: "allow_legacy_tls_clients", Wire: "AllowLegacyTLSClients", Type: cty.Bool,
			Description: "Let SMTP AUTH clients that only speak TLS 1.0 or 1.1 connect to the legacy endpoint."},
		{Name: "external_postmaster_address", Wire: "ExternalPostmasterAddress", Type: cty.String, FoldCase: true, Validate: recipientAddress,
			Description: "The From address of DSNs sent outside the organization; unset means postmaster@ the default accepted domain."},
		{Name: "max_recipient_envelope_limit", Wire: "MaxRecipientEnvelopeLimit", Type: cty.String, FoldCase: true, Validate: transportUnlimited,
			Description: `The most recipients a message may have: a number from 0 to 2147483647, or "Unlimited" (the Exchange Online default).`},
		{Name: "reply_all_storm_protection_enabled", Wire: "ReplyAllStormProtectionEnabled", Type: cty.Bool,
			Description: "Block further replies to a reply-all storm."},
		{Name: "reply_all_storm_detection_minimum_recipients", Wire: "ReplyAllStormDetectionMinimumRecipients", Type: cty.Number,
			Description: "How many recipients a thread needs to count as a reply-all storm."},
		{Name: "reply_all_storm_detection_minimum_replies", Wire: "ReplyAllStormDetectionMinimumReplies", Type: cty.Number,
			Description: "How many reply-all messages within an hour make a storm."},
		{Name: "reply_all_storm_block_duration_hours", Wire: "ReplyAllStormBlockDurationHours", Type: cty.Number,
			Description: "How many hours replies to a detected storm are blocked."},
		{Name: "journaling_report_ndr_to", Wire: "JournalingReportNdrTo", Type: cty.String, FoldCase: true, Validate: recipientAddress,
			Description: "Where journal reports go when the journaling mailbox is unavailable; it cannot be an Exchange Online mailbox."},
		{Name: "journal_message_expiration_days", Wire: "JournalMessageExpirationDays", Type: cty.Number,
			Description: "Days (0 to 7) that undeliverable journal reports are queued before they expire."},
		{Name: "prevent_duplicate_journaling_enabled", Wire: "PreventDuplicateJournalingEnabled", Type: cty.Bool,
			Description: "Prevent duplicate journal reports in hybrid organizations."},
		{Name: "address_book_policy_routing_enabled", Wire: "AddressBookPolicyRoutingEnabled", Type: cty.Bool,
			Description: "Resolve recipients against the sender's address book policy, so other virtual organizations appear external."},
		{Name: "clear_categories", Wire: "ClearCategories", Type: cty.Bool,
			Description: "Remove Outlook categories during content conversion (Exchange's default: true)."},
		{Name: "convert_disclaimer_wrapper_to_eml", Wire: "ConvertDisclaimerWrapperToEml", Type: cty.Bool,
			Description: "Attach the original signed message to a disclaimer as EML rather than TNEF."},
		{Name: "header_promotion_mode_setting", Wire: "HeaderPromotionModeSetting", Type: cty.String, Enum: []string{"MustCreate", "MayCreate", "NoCreate"},
			Description: "Whether named properties are created for custom X-headers of received messages."},
		{Name: "dsn_conversion_mode", Wire: "DSNConversionMode", Type: cty.String, Enum: []string{"DoNotConvert", "PreserveDSNBody", "UseExchangeDSNs"},
			Description: "How DSNs from other mail systems are converted."},
		{Name: "external_delay_dsn_enabled", Wire: "ExternalDelayDsnEnabled", Type: cty.Bool,
			Description: "Send delay notifications for external messages."},
		{Name: "internal_delay_dsn_enabled", Wire: "InternalDelayDsnEnabled", Type: cty.Bool,
			Description: "Send delay notifications for internal messages."},
		{Name: "external_dsn_send_html", Wire: "ExternalDsnSendHtml", Type: cty.Bool, Description: "Send external DSNs as HTML rather than plain text."},
		{Name: "internal_dsn_send_html", Wire: "InternalDsnSendHtml", Type: cty.Bool, Description: "Send internal DSNs as HTML rather than plain text."},
		{Name: "rfc2231_encoding_enabled", Wire: "Rfc2231EncodingEnabled", Type: cty.Bool,
			Description: "Encode MIME parameters of outbound messages as RFC 2231."},
	},
	Check: checkTransportConfig,
}

// transportUnlimited accepts "Unlimited" or a whole number from 0 to 2147483647, written as
// Exchange reports it: the value is compared as text, so "0500" or "+500" would show as a change
// in every plan and are refused with the number's plain spelling.
func transportUnlimited(s string) string {
	if strings.EqualFold(s, "unlimited") {
		return ""
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > 2147483647 {
		return fmt.Sprintf("%q is neither a number from 0 to 2147483647 nor \"Unlimited\".", s)
	}
	if want := strconv.FormatInt(n, 10); s != want {
		return fmt.Sprintf("Write %s, not %q: Exchange reports the number without a sign or leading zeros, so any other spelling would show as a change in every plan.", want, s)
	}
	return ""
}

// transportRanges are the documented ranges of the numeric settings.
var transportRanges = []struct {
	attr     string
	min, max int64
}{
	{"reply_all_storm_detection_minimum_recipients", 1, 2147483647},
	{"reply_all_storm_detection_minimum_replies", 1, 2147483647},
	{"reply_all_storm_block_duration_hours", 1, 2147483647},
	{"journal_message_expiration_days", 0, 7},
}

func checkTransportConfig(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	for _, r := range transportRanges {
		v := obj.GetAttr(r.attr)
		if v.IsNull() {
			continue
		}
		if !recipientWholeIn(v, r.min, r.max) {
			out = append(out, schema.AttrProblem{Attr: r.attr, Summary: "Invalid value for " + r.attr,
				Detail: fmt.Sprintf("%s must be a whole number from %d to %d.", r.attr, r.min, r.max)})
		}
	}
	if v := obj.GetAttr("smtp_client_authentication_disabled"); !v.IsNull() && v.False() {
		out = append(out, schema.AttrProblem{Attr: "smtp_client_authentication_disabled", Warning: true, Summary: "SMTP AUTH enabled for the whole organization",
			Detail: "smtp_client_authentication_disabled = false enables SMTP AUTH for every mailbox that does not set its own value. Microsoft recommends keeping it disabled organization-wide and enabling it only on the mailboxes that need it (exchange_cas_mailbox with smtp_client_authentication_disabled = false). " + smtpAuthBasicDetail})
	}
	return out
}

// recipientWholeIn reports whether a number is whole and within [min, max].
func recipientWholeIn(v cty.Value, min, max int64) bool {
	bf := v.AsBigFloat()
	n, acc := bf.Int64()
	return acc == big.Exact && n >= min && n <= max
}

// transportParam encodes max_recipient_envelope_limit as "Unlimited" or a number; the rest as
// usual.
func transportParam(a *schema.Attribute, v cty.Value) any {
	if a.Name == "max_recipient_envelope_limit" && !v.IsNull() {
		if strings.EqualFold(v.AsString(), "unlimited") {
			return "Unlimited"
		}
		if n, err := strconv.ParseInt(v.AsString(), 10, 64); err == nil {
			return n
		}
	}
	return recipientParam(a, v)
}

type transportConfig struct{ c invoker }

func (r *transportConfig) Type() *schema.ResourceType { return TransportConfigType }

// ReadAll reads the one transport configuration.
func (r *transportConfig) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return recipientSingleton(ctx, r.c, "Get-TransportConfig", TransportConfigType, nil)
}

// recipientSingleton reads a singleton settings object; anything but exactly one object is an
// error, never an absence. override, when set, maps the attributes whose wire form needs more
// than recipientToCty.
func recipientSingleton(ctx context.Context, c invoker, cmdlet string, t *schema.ResourceType,
	override func(o map[string]any) (map[string]cty.Value, error)) ([]providers.LiveObject, error) {
	objs, err := recipientInvoke(ctx, c, cmdlet, nil)
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("%s returned %d objects; the organization has exactly one", cmdlet, len(objs))
	}
	var ov map[string]cty.Value
	if override != nil {
		if ov, err = override(objs[0]); err != nil {
			return nil, fmt.Errorf("%s: %w", cmdlet, err)
		}
	}
	v, err := recipientValue(t, objs[0], ov)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cmdlet, err)
	}
	return []providers.LiveObject{{Key: "", ID: recipientStr(objs[0], "Guid"), Value: v}}, nil
}

// Compile sets the changed settings with one Set-TransportConfig.
func (r *transportConfig) Compile(c providers.Change) ([]providers.Operation, error) {
	if err := recipientSettingOnly(TransportConfigType, c); err != nil {
		return nil, err
	}
	ps := recipientSetParams(TransportConfigType, c, nil, nil, transportParam)
	if len(ps) == 0 {
		return nil, nil
	}
	return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-TransportConfig", Parameters: ps}}, nil
}

var transportConfigGuard = &guardSpec{t: TransportConfigType}

// Guard reads the configuration with Get-TransportConfig (which takes no identity in Exchange
// Online) and compares every attribute. max_recipient_envelope_limit compares as text, as the
// read takes it: "Unlimited" or the number, whether Exchange reports it as a string or a number.
func (r *transportConfig) Guard(c providers.Change) (providers.Guard, error) {
	if err := guardKind(TransportConfigType, c); err != nil {
		return providers.Guard{}, err
	}
	g := providers.Guard{Read: ruleOp("Get-TransportConfig")}
	g.Checks, g.Unchecked = transportConfigGuard.checks(c)
	return g, nil
}
