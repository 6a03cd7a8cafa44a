package entra

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
	"github.com/exoform/exoform/schema/diag"
)

// The secret audit: expired and expiring client secrets that nothing rotates. A declared
// entra_application_password already plans its own rotation within rotate_before; the secrets
// it does not cover (added in the portal, or released by removing their block) expire
// silently and take a client's sign-in down with them, the commonest support ticket of the EWS
// and SMTP relay setups. So every plan, and above all the nightly one, warns about them.
//
// In scope are the secrets of the applications the configuration declares (entra_application,
// or the application of an entra_application_password) and of those that carry this
// workspace's ownership marker. Other applications of the tenant are not this configuration's
// business.

// secretAuditWindow is how long before its end an undeclared secret is reported.
const secretAuditWindow = 30 * 24 * time.Hour

// auditedApp is an application with the properties the audit selects.
type auditedApp struct {
	AppID               string               `json:"appId"`
	DisplayName         string               `json:"displayName"`
	Tags                []string             `json:"tags"`
	PasswordCredentials []passwordCredential `json:"passwordCredentials"`
}

var _ providers.Auditor = (*applicationPassword)(nil)

// Audit implements providers.Auditor: it reads the client secrets of every application and
// warns about those in scope that are expired or end within the window and that no
// entra_application_password declares.
func (r *applicationPassword) Audit(ctx context.Context, in providers.AuditInput) (diag.Diagnostics, error) {
	apps, err := listApps[auditedApp](ctx, r.c)
	if err != nil {
		return nil, err
	}
	return auditSecrets(apps, in, r.clock())
}

// secretScope is what the configuration says about applications and their secrets.
type secretScope struct {
	apps     map[string]string        // lower-case display name → address of the declaring entra_application
	appIDs   map[string]bool          // lower-case client ids of applications with a declared secret
	declared map[string]bool          // JoinKey(lower-case client id, lower-case secret name) of declared secrets
	window   map[string]time.Duration // lower-case client id → the longest rotate_before declared for its secrets
}

func scopeOf(insts []*schema.Instance) secretScope {
	s := secretScope{apps: map[string]string{}, appIDs: map[string]bool{}, declared: map[string]bool{}, window: map[string]time.Duration{}}
	for _, in := range insts {
		switch in.Type {
		case ApplicationType:
			if name, ok := knownString(in.Value.GetAttr("display_name")); ok {
				s.apps[strings.ToLower(name)] = in.Addr
			}
		case ApplicationPasswordType:
			app, ok := knownString(in.Value.GetAttr("application"))
			name, ok2 := knownString(in.Value.GetAttr("display_name"))
			if !ok || !ok2 || schema.HasPlaceholder(app) {
				// An application this plan creates has no secrets yet.
				continue
			}
			app = strings.ToLower(app)
			s.appIDs[app] = true
			s.declared[schema.JoinKey(app, strings.ToLower(name))] = true
			if text, ok := knownString(in.Value.GetAttr("rotate_before")); ok {
				if d, err := parseAppPasswordDuration(text); err == nil && d > s.window[app] {
					s.window[app] = d
				}
			}
		}
	}
	return s
}

// auditSecrets is the audit of secrets already read, at the time now.
func auditSecrets(apps []auditedApp, in providers.AuditInput, now time.Time) (diag.Diagnostics, error) {
	scope := scopeOf(in.Instances)
	sort.Slice(apps, func(i, j int) bool {
		if a, b := strings.ToLower(apps[i].DisplayName), strings.ToLower(apps[j].DisplayName); a != b {
			return a < b
		}
		return apps[i].AppID < apps[j].AppID
	})
	var ds diag.Diagnostics
	for _, app := range apps {
		id := strings.ToLower(app.AppID)
		addr, declared := scope.apps[strings.ToLower(app.DisplayName)]
		_, m := appMarker(app.Tags)
		switch {
		case declared:
		case m.Workspace != "" && m.Workspace == in.Workspace:
			addr = fmt.Sprintf("%s[%q]", ApplicationType.Name, app.DisplayName)
		case scope.appIDs[id]:
			addr = ""
		default:
			continue
		}
		window := max(scope.window[id], secretAuditWindow)
		found, err := dueSecrets(app, scope, now, window)
		if err != nil {
			return nil, err
		}
		for _, s := range found {
			ds.Append(secretWarning(app, addr, s, now, window))
		}
	}
	return ds, nil
}

// dueSecrets are an app's undeclared secrets that end before now+window, soonest first.
func dueSecrets(app auditedApp, scope secretScope, now time.Time, window time.Duration) ([]parsedCredential, error) {
	var out []parsedCredential
	for _, pc := range app.PasswordCredentials {
		name := ""
		if pc.DisplayName != nil {
			name = *pc.DisplayName
		}
		if scope.declared[schema.JoinKey(strings.ToLower(app.AppID), strings.ToLower(name))] {
			continue
		}
		end, err := time.Parse(time.RFC3339Nano, pc.EndDateTime)
		if err != nil {
			return nil, fmt.Errorf("GET /applications: secret %s of application %s has an endDateTime that is not a date (%q)", pc.KeyID, app.AppID, pc.EndDateTime)
		}
		if end.Sub(now) <= window {
			out = append(out, parsedCredential{keyID: pc.KeyID, name: name, end: end.UTC()})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].end.Equal(out[j].end) {
			return out[i].end.Before(out[j].end)
		}
		return out[i].keyID < out[j].keyID
	})
	return out, nil
}

// secretWarning says what is wrong with one secret and what to do. It names the secret by its
// description and Secret ID, never by anything of its value.
func secretWarning(app auditedApp, addr string, s parsedCredential, now time.Time, window time.Duration) diag.Diagnostic {
	what := fmt.Sprintf("The client secret %q", s.name)
	if s.name == "" {
		what = "A client secret without a description"
	}
	what += fmt.Sprintf(" (Secret ID %s) of the app registration %q", s.keyID, app.DisplayName)
	if addr != "" {
		what += " (" + addr + ")"
	}
	end := s.end.Format(time.RFC3339)
	if !now.Before(s.end) {
		return diag.Diagnostic{Severity: diag.Warning, Address: addr, Summary: "Client secret expired",
			Detail: fmt.Sprintf("%s expired on %s, %s ago. Clients still using it cannot sign in. "+
				"If a client needs the app, give it a new secret (declare an entra_application_password, which exoform creates and rotates); "+
				"then delete this one in Entra ID > App registrations > Certificates & secrets.", what, end, roughDuration(now.Sub(s.end)))}
	}
	return diag.Diagnostic{Severity: diag.Warning, Address: addr, Summary: "Client secret expires soon",
		Detail: fmt.Sprintf("%s expires on %s, in %s (reported from %s before its end). No entra_application_password declares it, so exoform does not rotate it. "+
			"Declare its replacement as an entra_application_password with rotate_before, which exoform creates, delivers to value_file and rotates from then on; "+
			"move the clients to the new secret, then delete this one in Entra ID > App registrations > Certificates & secrets.",
			what, end, roughDuration(s.end.Sub(now)), roughDuration(window))}
}
