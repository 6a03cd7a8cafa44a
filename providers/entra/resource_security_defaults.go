package entra

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// securityDefaultsPath is the singleton policy (wire-formats C6).
const securityDefaultsPath = "/policies/identitySecurityDefaultsEnforcementPolicy"

// SecurityDefaultsType is entra_security_defaults: whether the tenant's security defaults are on.
var SecurityDefaultsType = &schema.ResourceType{
	Name: "entra_security_defaults",
	Description: "The tenant's security defaults (identitySecurityDefaultsEnforcementPolicy): MFA registration for everyone, " +
		"and legacy (basic) authentication blocked, which includes SMTP AUTH, IMAP and POP with a password.",
	Kind: schema.Setting,
	Attributes: []*schema.Attribute{
		{Name: "is_enabled", Wire: "isEnabled", Type: cty.Bool, Required: true,
			Description: "Whether security defaults are enforced. Microsoft turns them on for new tenants; they cannot be on together with Conditional Access policies."},
	},
}

type securityDefaults struct{ c doer }

func (r *securityDefaults) Type() *schema.ResourceType { return SecurityDefaultsType }

func (r *securityDefaults) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	var out struct {
		ID        string `json:"id"`
		IsEnabled *bool  `json:"isEnabled"`
	}
	if err := r.c.Do(ctx, "GET", securityDefaultsPath, nil, &out); err != nil {
		return nil, err
	}
	if out.IsEnabled == nil {
		return nil, fmt.Errorf("GET %s: the answer has no isEnabled", securityDefaultsPath)
	}
	v := cty.ObjectVal(map[string]cty.Value{"is_enabled": cty.BoolVal(*out.IsEnabled)})
	return []providers.LiveObject{{Key: "", ID: out.ID, Value: v}}, nil
}

func (r *securityDefaults) Compile(c providers.Change) ([]providers.Operation, error) {
	if c.Kind != providers.Update {
		return nil, fmt.Errorf("the security defaults policy is only ever updated")
	}
	if len(c.Set) == 0 {
		return nil, nil
	}
	body, err := json.Marshal(map[string]bool{"isEnabled": c.Desired.GetAttr("is_enabled").True()})
	if err != nil {
		return nil, err
	}
	return []providers.Operation{{Service: providers.Graph, Method: "PATCH", Path: securityDefaultsPath, Body: body}}, nil
}

// securityDefaultsWarnings explains that security defaults block basic authentication, so a
// mailbox the configuration opens for SMTP AUTH cannot use it with a password while they are on.
func securityDefaultsWarnings(insts []*schema.Instance) diag.Diagnostics {
	var ds diag.Diagnostics
	var sd *schema.Instance
	for _, in := range insts {
		if in.Type == SecurityDefaultsType {
			if v := in.Value.GetAttr("is_enabled"); !v.IsNull() && v.True() {
				sd = in
			}
		}
	}
	if sd == nil {
		return ds
	}
	for _, in := range insts {
		if in.Type.Name != "exchange_cas_mailbox" || in.Type.Attribute("smtp_client_authentication_disabled") == nil {
			continue
		}
		if v := in.Value.GetAttr("smtp_client_authentication_disabled"); v.IsNull() || v.AsString() != "false" {
			continue
		}
		ds.Append(diag.Diagnostic{Severity: diag.Warning, Subject: in.Range("smtp_client_authentication_disabled"), Address: in.Addr,
			Summary: "Security defaults block SMTP AUTH with a password",
			Detail: fmt.Sprintf("%s enables SMTP AUTH for %s, but %s keeps security defaults on, and they block basic authentication whatever the mailbox setting says. "+
				"Use OAuth (SMTP.Send or SMTP.SendAsApp), or turn security defaults off only with Conditional Access policies in place.", in.Addr, in.Key(), sd.Addr)})
	}
	return ds
}
