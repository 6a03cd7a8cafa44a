package exchange

import (
	"context"
	"fmt"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// OrganizationConfigType is exchange_organization_config: the organization settings in scope
// for mail-enabled apps (Get-OrganizationConfig / Set-OrganizationConfig), a singleton.
//
// EwsAllowedAppIDs is a set of application ids in HCL and one comma-separated string on the
// wire, in both directions; the empty set clears it ($null).
//
// Left out: RejectDirectSend (the reference lists it only in a parameter set that requires
// ShortenEventScopeDefault, so it cannot be sent on its own as documented), and the many
// settings of other workloads (Bookings, public folders, calendars, Teams connectors).
var OrganizationConfigType = &schema.ResourceType{
	Name:        "exchange_organization_config",
	Description: "The organization settings that decide which mail protocols and apps may be used: Exchange Web Services (EWS) and its app allow list, OAuth for Outlook, actionable messages, sending from aliases, mailbox auditing.",
	Kind:        schema.Setting,
	Attributes: []*schema.Attribute{
		{Name: "ews_enabled", Wire: "EwsEnabled", Type: cty.Bool,
			Description: "Allow EWS in the organization. Since 1 October 2026 EWS is blocked unless this is true; EWS in Exchange Online ends on 1 April 2027."},
		{Name: "ews_allowed_app_ids", Wire: "EwsAllowedAppIDs", Type: cty.Set(cty.String), FoldCase: true, Validate: recipientGUID,
			Description: "The application (client) ids of the apps allowed to use EWS (direct SOAP connections only; Graph is not affected). One comma-separated string on the wire."},
		{Name: "ews_application_access_policy", Wire: "EwsApplicationAccessPolicy", Type: cty.String, Enum: []string{"EnforceAllowList", "EnforceBlockList"},
			Description: "Whether ews_allow_list or ews_block_list decides which EWS clients (by user agent) may connect."},
		{Name: "ews_allow_list", Wire: "EwsAllowList", Type: cty.Set(cty.String),
			Description: "User agent strings of the EWS applications allowed when the policy is EnforceAllowList."},
		{Name: "ews_block_list", Wire: "EwsBlockList", Type: cty.Set(cty.String),
			Description: "User agent strings of the EWS applications blocked when the policy is EnforceBlockList."},
		{Name: "ews_allow_outlook", Wire: "EwsAllowOutlook", Type: cty.Bool, Description: "Allow Outlook to use EWS (free/busy, out-of-office, calendar sharing)."},
		{Name: "ews_allow_mac_outlook", Wire: "EwsAllowMacOutlook", Type: cty.Bool, Description: "Allow Outlook for Mac to use EWS."},
		{Name: "ews_allow_entourage", Wire: "EwsAllowEntourage", Type: cty.Bool, Description: "Allow Entourage clients to use EWS."},
		{Name: "oauth2_client_profile_enabled", Wire: "OAuth2ClientProfileEnabled", Type: cty.Bool,
			Description: "Modern authentication for Outlook and other clients."},
		{Name: "smtp_actionable_messages_enabled", Wire: "SmtpActionableMessagesEnabled", Type: cty.Bool,
			Description: "Show action buttons of actionable messages received by email."},
		{Name: "send_from_alias_enabled", Wire: "SendFromAliasEnabled", Type: cty.Bool,
			Description: "Let users send from any of their proxy addresses, not only the primary one."},
		{Name: "audit_disabled", Wire: "AuditDisabled", Type: cty.Bool,
			Description: "Turn off mailbox auditing for the whole organization (on by default)."},
	},
	Check: checkOrganizationConfig,
}

// checkOrganizationConfig warns about EWS settings that Exchange accepts but that do not do what
// they seem to, given the EWS retirement timeline (wire-formats E3).
func checkOrganizationConfig(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	ews := obj.GetAttr("ews_enabled")
	apps := recipientStrings(obj.GetAttr("ews_allowed_app_ids"))
	switch {
	case len(apps) > 0 && (ews.IsNull() || ews.False()):
		out = append(out, schema.AttrProblem{Attr: "ews_allowed_app_ids", Warning: true, Summary: "EWS app allow list without EWS enabled",
			Detail: "ews_allowed_app_ids takes effect only when ews_enabled = true. Since 1 October 2026 Exchange Online blocks EWS for every app in organizations whose EwsEnabled is not $true, so the listed apps cannot use EWS. Set ews_enabled = true."})
	case !ews.IsNull() && ews.True():
		detail := "EWS in Exchange Online is switched off for good on 1 April 2027, with no exceptions: apps that use it must move to Microsoft Graph before then."
		if len(apps) == 0 {
			detail = "Since October 2026 Exchange Online expects the apps that may use EWS to be listed: set ews_allowed_app_ids to the application (client) ids of the apps that need it. " + detail
		}
		out = append(out, schema.AttrProblem{Attr: "ews_enabled", Warning: true, Summary: "This configuration depends on EWS", Detail: detail})
	}
	policy := obj.GetAttr("ews_application_access_policy")
	if !policy.IsNull() {
		allow := obj.GetAttr("ews_allow_list")
		block := obj.GetAttr("ews_block_list")
		switch policy.AsString() {
		case "EnforceAllowList":
			if allow.IsNull() || allow.LengthInt() == 0 {
				out = append(out, schema.AttrProblem{Attr: "ews_application_access_policy", Warning: true, Summary: "EWS allow list is empty",
					Detail: "With EnforceAllowList only the clients in ews_allow_list may use EWS, and it lists none, so every EWS client is blocked. Add the clients' user agent strings to ews_allow_list."})
			}
			if !block.IsNull() && block.LengthInt() > 0 {
				out = append(out, schema.AttrProblem{Attr: "ews_block_list", Warning: true, Summary: "EWS block list is ignored",
					Detail: "ews_block_list applies only when ews_application_access_policy is EnforceBlockList."})
			}
		case "EnforceBlockList":
			if !allow.IsNull() && allow.LengthInt() > 0 {
				out = append(out, schema.AttrProblem{Attr: "ews_allow_list", Warning: true, Summary: "EWS allow list is ignored",
					Detail: "ews_allow_list applies only when ews_application_access_policy is EnforceAllowList."})
			}
		}
	}
	return out
}

// orgAppIDs reads EwsAllowedAppIDs: one comma-separated string (also accepted: an array of such
// strings). Unset is the empty set.
func orgAppIDs(raw any) cty.Value {
	return recipientSetOf(recipientList(raw, true))
}

// orgParam writes ews_allowed_app_ids as one comma-separated string, or $null for none.
func orgParam(a *schema.Attribute, v cty.Value) any {
	if a.Name == "ews_allowed_app_ids" {
		ids := recipientStrings(v)
		if len(ids) == 0 {
			return nil
		}
		return strings.Join(ids, ",")
	}
	return recipientParam(a, v)
}

type organizationConfig struct{ c invoker }

func (r *organizationConfig) Type() *schema.ResourceType { return OrganizationConfigType }

// ReadAll reads the one organization configuration.
func (r *organizationConfig) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return recipientSingleton(ctx, r.c, "Get-OrganizationConfig", OrganizationConfigType, func(o map[string]any) (map[string]cty.Value, error) {
		switch o["EwsAllowedAppIDs"].(type) {
		case nil, string, []any:
			return map[string]cty.Value{"ews_allowed_app_ids": orgAppIDs(o["EwsAllowedAppIDs"])}, nil
		}
		return nil, fmt.Errorf("EwsAllowedAppIDs: want a comma-separated string, got %T", o["EwsAllowedAppIDs"])
	})
}

// Compile sets the changed settings with one Set-OrganizationConfig.
func (r *organizationConfig) Compile(c providers.Change) ([]providers.Operation, error) {
	if err := recipientSettingOnly(OrganizationConfigType, c); err != nil {
		return nil, err
	}
	ps := recipientSetParams(OrganizationConfigType, c, nil, nil, orgParam)
	if len(ps) == 0 {
		return nil, nil
	}
	return []providers.Operation{{Service: providers.Exchange, Cmdlet: "Set-OrganizationConfig", Parameters: ps}}, nil
}

var organizationConfigGuard = &guardSpec{t: OrganizationConfigType, unchecked: map[string]string{
	// EwsAllowedAppIDs is one comma-separated string in an order and spelling of Exchange's own;
	// the read splits it into a set (orgAppIDs).
	"ews_allowed_app_ids": "one comma-separated string on the wire, compared as a set of ids",
}}

// Guard reads the configuration with Get-OrganizationConfig and compares every attribute but
// the EWS app allow list.
func (r *organizationConfig) Guard(c providers.Change) (providers.Guard, error) {
	if err := guardKind(OrganizationConfigType, c); err != nil {
		return providers.Guard{}, err
	}
	g := providers.Guard{Read: ruleOp("Get-OrganizationConfig")}
	g.Checks, g.Unchecked = organizationConfigGuard.checks(c)
	return g, nil
}
