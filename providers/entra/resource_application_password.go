package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

// A client secret (passwordCredential) of an app registration, added with addPassword and
// removed with removePassword (wire-formats C2). Graph never returns a secret's value after
// addPassword answered it: apply hands that answer's secretText to value_file, and nothing
// else ever sees it.
//
// A passwordCredential has no field for an ownership marker, so the type is Declared: exoform
// never removes a secret nobody declared, and removing a declaration stops managing it.
//
// Expiry and rotation. A declaration says how long a secret lives (lifetime) and how long
// before its end it is replaced (rotate_before). The plan decides, with the clock, whether a
// secret is created or rotated, and records the new secret's end in the planned end_date_time
// ("2027-11-23T10:05:00Z" for a create, "rotate: …; new secret expires 2027-11-23T10:05:00Z"
// for a rotation). Compile reads the end back from there, so compiling a saved plan again gives
// the same operations, and the secret expires when the plan said it would. The request also
// sends startDateTime = end - lifetime (the planning minute), so the secret's lifetime as read
// back (end - start) is exactly the declared one, however long after planning apply ran.

const (
	appPasswordTypeName = "entra_application_password"
	// appPasswordMaxLifetime bounds lifetime: ten years.
	appPasswordMaxLifetime = 87600 * time.Hour
	// appPasswordRecommended is Microsoft's recommended maximum: two years.
	appPasswordRecommended = 17520 * time.Hour
	// appPasswordNewExpires introduces the planned end of the new secret in a rotation note.
	appPasswordNewExpires = "new secret expires "
	// appPasswordOlderMeta lists, comma-separated, the keyIds of other secrets of the app with
	// the same display name, which a rotation removes too.
	appPasswordOlderMeta = "older_key_ids"
	// appPasswordAppMeta is the application's object id.
	appPasswordAppMeta = "application_object_id"
)

// ApplicationPasswordType is entra_application_password: a client secret of an app registration.
var ApplicationPasswordType = &schema.ResourceType{
	Name: appPasswordTypeName,
	Description: "A client secret (password credential) of an app registration, created with addPassword and rotated before it expires. " +
		"The secret's value exists only in addPassword's answer: apply writes it to value_file and nowhere else. " +
		"Secrets have no field that could carry exoform's ownership marker, so exoform never removes a secret nobody declared: " +
		"removing the block stops managing the secret and leaves it in place (remove it in the portal, or with removePassword, when no client uses it). " +
		"A rotation adds a new secret, delivers its value, and removes the old one (and older secrets of the same display name).",
	Kind: schema.Declared,
	Keys: []string{"application", "display_name"},
	Attributes: []*schema.Attribute{
		{Name: "application", Wire: "appId", Type: cty.String, Required: true, FoldCase: true, Validate: validateAppID,
			Description: "The application (client) id of the app registration, usually entra_application.NAME.app_id."},
		{Name: "display_name", Wire: "displayName", Type: cty.String, Required: true, Validate: validateSecretName,
			Description: "The secret's description, unique among the app's secrets: it names the secret in the portal and in exoform."},
		{Name: "lifetime", Wire: "endDateTime", Type: cty.String, Required: true,
			Description: "How long a new secret is valid, as a duration in hours such as \"4320h\" (180 days) or \"8760h\" (365 days); at most \"87600h\". " +
				"Microsoft recommends less than two years (\"17520h\"); an app management policy may refuse longer secrets. Changing it replaces the secret."},
		{Name: "rotate_before", Type: cty.String,
			Description: "Replace the secret when it expires within this duration (\"720h\": 30 days before its end); less than lifetime. " +
				"Unset: the secret is replaced once it has expired. Only plans made in time rotate: run plan regularly (for example nightly)."},
		{Name: "value_file", Type: cty.String, Validate: validateValueFile,
			Description: "The file, relative to the configuration directory, that apply writes a new secret's value to (mode 0600). " +
				"It is not a property of the secret: it is used only when apply creates or rotates the secret, the only moment the value can be read."},
		{Name: "key_id", Wire: "keyId", Type: cty.String, Computed: true,
			Description: "The secret's id (keyId): the \"Secret ID\" of the portal, which is not its value."},
		{Name: "end_date_time", Wire: "endDateTime", Type: cty.String, Computed: true,
			Description: "When the secret expires (RFC 3339, UTC). A plan that creates or rotates the secret shows here when the new one will expire."},
		{Name: "hint", Wire: "hint", Type: cty.String, Computed: true,
			Description: "The first characters of the secret's value, to tell which value a client holds."},
	},
	Check: checkApplicationPassword,
}

func validateAppID(s string) string {
	if !schema.IsGUID(s) {
		return fmt.Sprintf("application must be an application (client) id, a GUID such as 00000000-0000-0000-0000-000000000000, not %q; write entra_application.NAME.app_id to use an app of this configuration.", s)
	}
	return ""
}

func validateSecretName(s string) string {
	if strings.TrimSpace(s) == "" {
		return "display_name must not be empty: it is how exoform finds the secret among the app's secrets."
	}
	return ""
}

func validateValueFile(s string) string {
	if strings.TrimSpace(s) == "" {
		return "value_file must name a file, relative to the configuration directory; leave it unset rather than empty."
	}
	return ""
}

// knownString returns a string attribute's value, and false when it is null or unknown.
func knownString(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

func parseAppPasswordDuration(s string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write hours, such as \"8760h\" for 365 days or \"720h\" for 30 days", s)
	}
	return d, nil
}

func checkApplicationPassword(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	var lifetime time.Duration
	lifetimeOK := false
	if s, ok := knownString(obj.GetAttr("lifetime")); ok && !schema.IsPlaceholder(s) {
		d, err := parseAppPasswordDuration(s)
		switch {
		case err != nil:
			out = append(out, schema.AttrProblem{Attr: "lifetime", Summary: "Invalid lifetime", Detail: "lifetime " + err.Error() + "."})
		case d <= 0:
			out = append(out, schema.AttrProblem{Attr: "lifetime", Summary: "Invalid lifetime", Detail: fmt.Sprintf("lifetime must be positive, not %q.", s)})
		case d > appPasswordMaxLifetime:
			out = append(out, schema.AttrProblem{Attr: "lifetime", Summary: "Invalid lifetime",
				Detail: fmt.Sprintf("lifetime %q is longer than ten years; the most exoform sets is \"87600h\", and Microsoft recommends less than two years (\"17520h\").", s)})
		default:
			lifetime, lifetimeOK = d, true
			if d > appPasswordRecommended {
				out = append(out, schema.AttrProblem{Attr: "lifetime", Warning: true, Summary: "Client secret lifetime over two years",
					Detail: fmt.Sprintf("lifetime %q is longer than two years. Microsoft recommends client secrets that live less than two years (the portal offers at most 24 months), "+
						"and rotating them well before they expire; an app management policy of the tenant may refuse longer secrets, which fails apply. "+
						"Prefer a shorter lifetime with rotate_before, or a certificate or federated credential.", s)})
			}
		}
	}
	if s, ok := knownString(obj.GetAttr("rotate_before")); ok && !schema.IsPlaceholder(s) {
		d, err := parseAppPasswordDuration(s)
		switch {
		case err != nil:
			out = append(out, schema.AttrProblem{Attr: "rotate_before", Summary: "Invalid rotate_before", Detail: "rotate_before " + err.Error() + "."})
		case d < 0:
			out = append(out, schema.AttrProblem{Attr: "rotate_before", Summary: "Invalid rotate_before", Detail: fmt.Sprintf("rotate_before must not be negative, not %q.", s)})
		case lifetimeOK && d >= lifetime:
			out = append(out, schema.AttrProblem{Attr: "rotate_before", Summary: "Invalid rotate_before",
				Detail: fmt.Sprintf("rotate_before %q must be less than lifetime %q: otherwise every new secret would be due for rotation at once.", s, obj.GetAttr("lifetime").AsString())})
		}
	}
	return out
}

type applicationPassword struct {
	c   doer
	now func() time.Time // the clock rotation decisions use; nil: time.Now
}

func (r *applicationPassword) Type() *schema.ResourceType { return ApplicationPasswordType }

func (r *applicationPassword) clock() time.Time {
	if r.now == nil {
		return time.Now().UTC()
	}
	return r.now().UTC()
}

// appCredentials is an application with the properties this type selects.
type appCredentials struct {
	ID                  string               `json:"id"`
	AppID               string               `json:"appId"`
	DisplayName         string               `json:"displayName"`
	PasswordCredentials []passwordCredential `json:"passwordCredentials"`
}

func listAppCredentials(ctx context.Context, c doer) ([]appCredentials, error) {
	return listApps[appCredentials](ctx, c)
}

// ReadAll reads every application's secrets in one paged read. A secret without a display name
// cannot be declared and is left out. Secrets of one app whose display names differ only in
// case are one object (keys compare case-insensitively): the one that expires last, with the
// others listed in Meta for a rotation to remove.
func (r *applicationPassword) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	apps, err := listAppCredentials(ctx, r.c)
	if err != nil {
		return nil, err
	}
	var out []providers.LiveObject
	for _, app := range apps {
		objs, err := appPasswordObjects(app)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

type parsedCredential struct {
	keyID, name string
	start, end  time.Time
	hint        *string
}

func appPasswordObjects(app appCredentials) ([]providers.LiveObject, error) {
	groups := map[string][]parsedCredential{}
	for _, pc := range app.PasswordCredentials {
		if pc.DisplayName == nil || strings.TrimSpace(*pc.DisplayName) == "" {
			continue
		}
		start, err := time.Parse(time.RFC3339Nano, pc.StartDateTime)
		if err != nil {
			return nil, fmt.Errorf("GET /applications: secret %s of application %s has a startDateTime that is not a date (%q)", pc.KeyID, app.AppID, pc.StartDateTime)
		}
		end, err := time.Parse(time.RFC3339Nano, pc.EndDateTime)
		if err != nil {
			return nil, fmt.Errorf("GET /applications: secret %s of application %s has an endDateTime that is not a date (%q)", pc.KeyID, app.AppID, pc.EndDateTime)
		}
		k := strings.ToLower(*pc.DisplayName)
		groups[k] = append(groups[k], parsedCredential{keyID: pc.KeyID, name: *pc.DisplayName, start: start.UTC(), end: end.UTC(), hint: pc.Hint})
	}
	out := make([]providers.LiveObject, 0, len(groups))
	for _, g := range groups {
		// The newest is the object; ties go to the greater keyId, so that reads agree.
		sort.Slice(g, func(i, j int) bool {
			if !g[i].end.Equal(g[j].end) {
				return g[i].end.After(g[j].end)
			}
			return g[i].keyID > g[j].keyID
		})
		pc := g[0]
		hint := cty.NullVal(cty.String)
		if pc.hint != nil {
			hint = cty.StringVal(*pc.hint)
		}
		meta := map[string]string{appPasswordAppMeta: app.ID}
		if len(g) > 1 {
			older := make([]string, 0, len(g)-1)
			for _, o := range g[1:] {
				older = append(older, o.keyID)
			}
			sort.Strings(older)
			meta[appPasswordOlderMeta] = strings.Join(older, ",")
		}
		out = append(out, providers.LiveObject{
			Key: schema.JoinKey(app.AppID, pc.name),
			ID:  pc.keyID,
			Value: cty.ObjectVal(map[string]cty.Value{
				"application":   cty.StringVal(app.AppID),
				"display_name":  cty.StringVal(pc.name),
				"lifetime":      cty.StringVal(formatHours(pc.end.Sub(pc.start))),
				"rotate_before": cty.NullVal(cty.String),
				"value_file":    cty.NullVal(cty.String),
				"key_id":        cty.StringVal(pc.keyID),
				"end_date_time": cty.StringVal(pc.end.Format(time.RFC3339)),
				"hint":          hint,
			}),
			Meta: meta,
		})
	}
	return out, nil
}

// formatHours writes a duration rounded to whole hours, as "8760h".
func formatHours(d time.Duration) string {
	return fmt.Sprintf("%dh", int64(d.Round(time.Hour)/time.Hour))
}

// Needs implements providers.Resolver: Resolve uses the type's own objects only.
func (r *applicationPassword) Needs() []string { return nil }

// Resolve decides, with the clock, whether the declared secret is created, rotated or left as
// it is, and records the decision in end_date_time (see the top of this file). rotate_before
// and value_file are not properties of the secret: for a secret that stays, they take the live
// (null) value so that they never show as a difference; a rotation keeps value_file, where the
// new value goes.
func (r *applicationPassword) Resolve(desired cty.Value, live map[string][]providers.LiveObject) (cty.Value, error) {
	if desired.IsNull() || !desired.IsWhollyKnown() {
		return desired, nil
	}
	lifetimeText, ok := knownString(desired.GetAttr("lifetime"))
	if !ok {
		return desired, nil
	}
	lifetime, err := parseAppPasswordDuration(lifetimeText)
	if err != nil {
		return desired, fmt.Errorf("lifetime %w", err)
	}
	attrs := desired.AsValueMap()
	now := r.clock()
	newEnd := now.Truncate(time.Minute).Add(lifetime).Format(time.RFC3339)

	key := ApplicationPasswordType.KeyOf(desired)
	var prior *providers.LiveObject
	if key != "" && !schema.HasPlaceholder(key) {
		objs := live[appPasswordTypeName]
		for i := range objs {
			if strings.EqualFold(objs[i].Key, key) {
				prior = &objs[i]
				break
			}
		}
	}
	if prior == nil {
		attrs["end_date_time"] = cty.StringVal(newEnd)
		return cty.ObjectVal(attrs), nil
	}

	endText, _ := knownString(prior.Value.GetAttr("end_date_time"))
	end, err := time.Parse(time.RFC3339, endText)
	if err != nil {
		return desired, fmt.Errorf("the secret %q of application %s has no readable end date (%q)", attrs["display_name"].AsString(), attrs["application"].AsString(), endText)
	}
	var rotateBefore time.Duration
	rotateText, hasRotate := knownString(desired.GetAttr("rotate_before"))
	if hasRotate {
		if rotateBefore, err = parseAppPasswordDuration(rotateText); err != nil {
			return desired, fmt.Errorf("rotate_before %w", err)
		}
	}
	reason := ""
	switch {
	case !now.Before(end):
		reason = "rotate: expired " + endText
	case !now.Add(rotateBefore).Before(end):
		reason = fmt.Sprintf("rotate: expires %s (in %s, rotate_before %s)", endText, roughDuration(end.Sub(now)), rotateText)
	}
	liveLifetime, _ := knownString(prior.Value.GetAttr("lifetime"))
	if formatHours(lifetime) == liveLifetime {
		// The same lifetime, however it is written: show it as read.
		attrs["lifetime"] = cty.StringVal(liveLifetime)
	} else if reason == "" {
		reason = fmt.Sprintf("rotate: lifetime %s -> %s", liveLifetime, lifetimeText)
	}
	if older := prior.Meta[appPasswordOlderMeta]; reason == "" && older != "" {
		// An apply stopped between a rotation's addPassword and its removePassword: the old
		// secret is still valid. Rotating again removes it (and makes a new value, delivered
		// to value_file, rather than trust the one the stopped apply may not have written).
		reason = fmt.Sprintf("rotate: %d older secret(s) of this name remain valid (an earlier rotation did not finish)", len(strings.Split(older, ",")))
	}
	attrs["rotate_before"] = cty.NullVal(cty.String)
	if reason == "" {
		attrs["end_date_time"] = cty.NullVal(cty.String)
		attrs["value_file"] = cty.NullVal(cty.String)
	} else {
		attrs["end_date_time"] = cty.StringVal(reason + "; " + appPasswordNewExpires + newEnd)
	}
	return cty.ObjectVal(attrs), nil
}

// roughDuration says how far off a time is, for a person: "7 days", "5 hours", "12 minutes".
func roughDuration(d time.Duration) string {
	unit := func(n int64, what string) string {
		if n == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	switch {
	case d >= 24*time.Hour:
		return unit(int64(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return unit(int64(d/time.Hour), "hour")
	default:
		return unit(int64(d/time.Minute), "minute")
	}
}

// plannedEnd reads the new secret's end from the planned end_date_time: the whole value for a
// create, the time after "new secret expires " for a rotation. An update without that note
// would otherwise read the old secret's end, as merged from the live object.
func plannedEnd(desired cty.Value, rotation bool) (time.Time, error) {
	s, ok := knownString(desired.GetAttr("end_date_time"))
	i := strings.LastIndex(s, appPasswordNewExpires)
	if !ok || rotation && i < 0 {
		return time.Time{}, fmt.Errorf("the plan has no end date for the new secret: plan again")
	}
	if i >= 0 {
		s = s[i+len(appPasswordNewExpires):]
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("the planned end date of the new secret (%q) is not a date: plan again", s)
	}
	return t.UTC(), nil
}

// appPasswordPath is the path of a bound action of the application with this client id (which
// may be a placeholder until the application exists).
func appPasswordPath(appID, action string) string {
	return "/applications(appId='" + appID + "')/" + action
}

func (r *applicationPassword) Compile(c providers.Change) ([]providers.Operation, error) {
	switch c.Kind {
	case providers.Create:
		add, err := r.addOp(c, c.Desired)
		if err != nil {
			return nil, err
		}
		return []providers.Operation{add}, nil
	case providers.Update:
		if c.Prior == nil {
			return nil, fmt.Errorf("an update of a client secret needs the secret as read")
		}
		replace := false
		for _, a := range c.Set {
			if a != "value_file" && a != "rotate_before" {
				replace = true
			}
		}
		if !replace {
			// Nothing about the secret itself changes.
			return nil, nil
		}
		appID, _ := knownString(c.Prior.Value.GetAttr("application"))
		if appID == "" {
			return nil, fmt.Errorf("the secret as read names no application")
		}
		add, err := r.addOp(c, c.Desired)
		if err != nil {
			return nil, err
		}
		ops := []providers.Operation{add}
		old := []string{c.Prior.ID}
		if s := c.Prior.Meta[appPasswordOlderMeta]; s != "" {
			old = append(old, strings.Split(s, ",")...)
		}
		for _, keyID := range old {
			if !schema.IsGUID(keyID) {
				return nil, fmt.Errorf("the secret to remove has no valid keyId (%q)", keyID)
			}
			body, err := json.Marshal(struct {
				KeyID string `json:"keyId"`
			}{keyID})
			if err != nil {
				return nil, err
			}
			ops = append(ops, providers.Operation{Service: providers.Graph, Method: "POST", Path: appPasswordPath(appID, "removePassword"), Body: body})
		}
		return ops, nil
	case providers.Delete:
		return nil, fmt.Errorf("%s objects are never deleted: a client secret carries no ownership marker", appPasswordTypeName)
	}
	return nil, fmt.Errorf("unexpected change kind %d", c.Kind)
}

// addOp is the addPassword request of the declared secret, which delivers the new value.
func (r *applicationPassword) addOp(c providers.Change, desired cty.Value) (providers.Operation, error) {
	appID, ok := knownString(desired.GetAttr("application"))
	if !ok || appID == "" {
		return providers.Operation{}, fmt.Errorf("the client secret names no application")
	}
	if c.Prior != nil {
		if s, ok := knownString(c.Prior.Value.GetAttr("application")); ok && s != "" {
			appID = s // as the tenant spells it
		}
	}
	name, ok := knownString(desired.GetAttr("display_name"))
	if !ok {
		return providers.Operation{}, fmt.Errorf("the client secret has no display_name")
	}
	lifetimeText, ok := knownString(desired.GetAttr("lifetime"))
	if !ok {
		return providers.Operation{}, fmt.Errorf("the client secret has no lifetime")
	}
	lifetime, err := parseAppPasswordDuration(lifetimeText)
	if err != nil {
		return providers.Operation{}, fmt.Errorf("lifetime %w", err)
	}
	end, err := plannedEnd(desired, c.Kind == providers.Update)
	if err != nil {
		return providers.Operation{}, err
	}
	type credential struct {
		DisplayName   string `json:"displayName"`
		StartDateTime string `json:"startDateTime"`
		EndDateTime   string `json:"endDateTime"`
	}
	body, err := json.Marshal(struct {
		PasswordCredential credential `json:"passwordCredential"`
	}{credential{DisplayName: name, StartDateTime: end.Add(-lifetime).Format(time.RFC3339), EndDateTime: end.Format(time.RFC3339)}})
	if err != nil {
		return providers.Operation{}, err
	}
	file, _ := knownString(desired.GetAttr("value_file"))
	app := "application " + appID
	if ref, ok := schema.PlaceholderRef(appID); ok {
		app = strings.TrimSuffix(ref, ".app_id")
	}
	op := providers.Operation{Service: providers.Graph, Method: "POST", Path: appPasswordPath(appID, "addPassword"), Body: body,
		Deliver: &providers.Delivery{Field: "secretText", File: file, What: fmt.Sprintf("client secret %q of %s", name, app)}}
	if c.Addr != "" {
		op.Produces = map[string]string{"keyId": c.Addr + ".key_id"}
	}
	return op, nil
}
