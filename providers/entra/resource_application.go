package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

var ficBlock = []*schema.Attribute{
	{Name: "name", Wire: "name", Type: cty.String, Required: true, Validate: ficName,
		Description: "A name for the credential, unique within the app (3 to 120 characters, no / \\ ? # %)."},
	{Name: "issuer", Wire: "issuer", Type: cty.String, Required: true, Validate: httpsURL,
		Description: "The token issuer: https://token.actions.githubusercontent.com for GitHub Actions."},
	{Name: "subject", Wire: "subject", Type: cty.String, Required: true, Validate: nonEmpty("subject"),
		Description: "The subject the external token must carry, e.g. repo:contoso/mail-config:ref:refs/heads/main or repo:contoso/mail-config:environment:production."},
	{Name: "audiences", Wire: "audiences", Type: cty.Set(cty.String), Required: true,
		Description: "The audiences the token must carry: [\"api://AzureADTokenExchange\"] for Entra ID."},
	{Name: "description", Wire: "description", Type: cty.String, Description: "A description."},
}

// ApplicationType is entra_application: an app registration, its service principal, its API
// permissions by name, their admin consent, federated credentials and owners.
var ApplicationType = &schema.ResourceType{
	Name: "entra_application",
	Description: "An app registration (Graph /applications) with its service principal, created together. API permissions are named, not given as GUIDs; " +
		"admin_consent grants them. The ownership marker is one of the app's tags. Changing display_name declares another app: the old one is deleted " +
		"(if this workspace owns it) and a new one, with a new client id and no secrets, is created.",
	Kind: schema.Owned,
	Keys: []string{"display_name"},
	Attributes: []*schema.Attribute{
		{Name: "display_name", Wire: "displayName", Type: cty.String, Required: true, FoldCase: true, Validate: nonEmpty("display_name"),
			Description: "The app's display name, which identifies it: keep it unique in the tenant."},
		{Name: "sign_in_audience", Wire: "signInAudience", Type: cty.String, Enum: []string{"AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"},
			Description: "Who may sign in: AzureADMyOrg (this tenant only, the default for new apps) or AzureADMultipleOrgs (any Entra tenant)."},
		{Name: "notes", Wire: "notes", Type: cty.String, Description: "Notes for administrators (the app's Internal notes)."},
		{Name: "tags", Wire: "tags", Type: cty.Set(cty.String), Validate: noMarker,
			Description: "Tags of the app. exoform adds its ownership marker as one more tag, which this list does not show."},
		permissionAttr(),
		adminConsentAttr("the app"),
		{Name: "federated_identity_credential", Wire: "federatedIdentityCredentials", Type: schema.BlockType(ficBlock...), Nested: ficBlock,
			Description: "A block per federated identity credential: external tokens (GitHub Actions OIDC) the app accepts instead of a secret."},
		{Name: "owners", Wire: "owners", Type: cty.Set(cty.String), FoldCase: true, Validate: nonEmpty("owner"),
			Description: "The users who own the app, by user principal name. Owners listed here are added; other owners are removed."},
		{Name: "app_id", Wire: "appId", Type: cty.String, Computed: true,
			Description: "The application (client) id, set by Entra ID. Known after the app is created."},
		{Name: "id", Wire: "id", Type: cty.String, Computed: true, Description: "The application object id."},
		{Name: "service_principal_id", Wire: "servicePrincipal.id", Type: cty.String, Computed: true,
			Description: "The object id of the app's service principal in this tenant (Enterprise applications > Object ID)."},
	},
	Check: checkApplication,
}

func checkApplication(obj cty.Value) []schema.AttrProblem {
	var out []schema.AttrProblem
	perms := obj.GetAttr("api_permission")
	if c := obj.GetAttr("admin_consent"); !c.IsNull() && c.True() && (perms.IsNull() || len(permsOf(perms)) == 0) {
		out = append(out, schema.AttrProblem{Attr: "admin_consent", Summary: "Nothing to consent to",
			Detail: "admin_consent = true grants the app's API permissions, but it declares none. Add api_permission blocks, or remove admin_consent."})
	}
	seen := map[string]bool{}
	if !perms.IsNull() {
		for it := perms.ElementIterator(); it.Next(); {
			_, blk := it.Element()
			api := strings.ToLower(blk.GetAttr("api").AsString())
			if seen[api] {
				out = append(out, schema.AttrProblem{Attr: "api_permission", Summary: "API named twice",
					Detail: fmt.Sprintf("Two api_permission blocks name %q. Put all its permissions in one block.", blk.GetAttr("api").AsString())})
			}
			seen[api] = true
		}
	}
	names := map[string]bool{}
	if f := obj.GetAttr("federated_identity_credential"); !f.IsNull() {
		for it := f.ElementIterator(); it.Next(); {
			_, blk := it.Element()
			n := strings.ToLower(blk.GetAttr("name").AsString())
			if names[n] {
				out = append(out, schema.AttrProblem{Attr: "federated_identity_credential", Summary: "Federated credential named twice",
					Detail: fmt.Sprintf("Two federated_identity_credential blocks are named %q; names are unique within an app.", blk.GetAttr("name").AsString())})
			}
			names[n] = true
		}
	}
	return out
}

type application struct {
	c doer
	permissionNames
}

func (r *application) Type() *schema.ResourceType { return ApplicationType }

func (r *application) ReadAll(ctx context.Context) ([]providers.LiveObject, error) {
	return r.ReadDeclared(ctx, nil)
}

// ReadDeclared reads every application, every service principal and every delegated grant (the
// listing every Entra type shares, readListing), then, in one batched listing, the app role
// assignments on the APIs that relevant apps use and the federated credentials and owners of
// the apps that are declared or carry an ownership marker. Other apps come back with those
// attributes null.
func (r *application) ReadDeclared(ctx context.Context, keys []string) ([]providers.LiveObject, error) {
	return r.read(ctx, keys, false)
}

// ReadExport reads every application completely, owners and federated credentials included.
func (r *application) ReadExport(ctx context.Context) ([]providers.LiveObject, error) {
	return r.read(ctx, nil, true)
}

// read is ReadDeclared; all makes every application relevant.
func (r *application) read(ctx context.Context, keys []string, all bool) ([]providers.LiveObject, error) {
	apps, err := listApps[graphApp](ctx, r.c)
	if err != nil {
		return nil, err
	}
	sps, err := listSPs(ctx, r.c)
	if err != nil {
		return nil, err
	}
	gs, err := listGrants(ctx, r.c)
	if err != nil {
		return nil, err
	}
	dir := newDirectory(sps)
	r.remember(dir)

	declared := map[string]bool{}
	for _, k := range keys {
		declared[strings.ToLower(k)] = true
	}
	count := map[string]int{}
	for _, a := range apps {
		count[strings.ToLower(a.DisplayName)]++
	}
	var relevant []*graphApp
	resources := map[string]bool{}
	for i := range apps {
		a := &apps[i]
		_, m := appMarker(a.Tags)
		if !all && !declared[strings.ToLower(a.DisplayName)] && m.Workspace == "" {
			continue
		}
		if n := count[strings.ToLower(a.DisplayName)]; n > 1 {
			return nil, fmt.Errorf("%d applications are named %q. exoform finds an app by its display name: rename or delete the others in Entra ID > App registrations", n, a.DisplayName)
		}
		relevant = append(relevant, a)
		for _, ra := range a.RequiredResourceAccess {
			if sp := dir.byAppID[strings.ToLower(ra.ResourceAppID)]; sp != nil {
				resources[sp.ID] = true
			}
		}
	}
	assignments, err := readDetails(ctx, r.c, relevant, sortedKeys(resources))
	if err != nil {
		return nil, err
	}
	isRelevant := map[*graphApp]bool{}
	for _, a := range relevant {
		isRelevant[a] = true
	}
	out := make([]providers.LiveObject, 0, len(apps))
	for i := range apps {
		out = append(out, appObject(dir, &apps[i], isRelevant[&apps[i]], assignments, gs))
	}
	return out, nil
}

// readDetails reads, in one batched listing, the app role assignments granted on each resource
// API that relevant apps use (a handful: Exchange Online, Microsoft Graph), and the federated
// credentials and owners of each relevant app: 20 collections to a request, every page of each.
func readDetails(ctx context.Context, c doer, apps []*graphApp, resourceIDs []string) ([]roleAssignment, error) {
	urls := make([]string, 0, len(resourceIDs)+2*len(apps))
	for _, id := range resourceIDs {
		urls = append(urls, assignedToPath(id))
	}
	for _, a := range apps {
		p := "/applications/" + url.PathEscape(a.ID)
		urls = append(urls, p+"/federatedIdentityCredentials", p+"/owners?$select=id,userPrincipalName")
	}
	type owner struct {
		ID  string `json:"id"`
		UPN string `json:"userPrincipalName"`
	}
	var assignments []roleAssignment
	fics := make([][]federatedCredential, len(apps))
	owners := make([][]owner, len(apps))
	n := len(resourceIDs)
	err := c.BatchList(ctx, urls, func(i int, raw json.RawMessage) error {
		var err error
		switch {
		case i < n:
			var a roleAssignment
			err = decodeItem(raw, urls[i], &a)
			assignments = append(assignments, a)
		case (i-n)%2 == 0:
			var f federatedCredential
			err = decodeItem(raw, urls[i], &f)
			fics[(i-n)/2] = append(fics[(i-n)/2], f)
		default:
			var o owner
			err = decodeItem(raw, urls[i], &o)
			owners[(i-n)/2] = append(owners[(i-n)/2], o)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	for k, a := range apps {
		a.FICs = fics[k]
		a.Owners = nil
		for _, o := range owners[k] {
			name := o.UPN
			if name == "" {
				name = o.ID // an owner that is not a user (a service principal)
			}
			a.Owners = append(a.Owners, name+"\x00"+o.ID)
		}
	}
	return assignments, nil
}

// appMarker separates the ownership marker from an app's tags.
func appMarker(tags []string) (user []string, m providers.Marker) {
	for _, t := range tags {
		if text, mk := providers.SplitMarker(t); text == "" && mk.Workspace != "" {
			m = mk
			continue
		}
		user = append(user, t)
	}
	return user, m
}

func appObject(dir *directory, a *graphApp, relevant bool, as []roleAssignment, gs []permissionGrant) providers.LiveObject {
	tags, m := appMarker(a.Tags)
	sp := dir.byAppID[strings.ToLower(a.AppID)]
	meta := map[string]string{}
	v := map[string]cty.Value{
		"display_name":                  cty.StringVal(a.DisplayName),
		"sign_in_audience":              optString(&a.SignInAudience),
		"notes":                         optString(a.Notes),
		"tags":                          stringSetOf(tags),
		"api_permission":                permissionValue(dir, a.RequiredResourceAccess),
		"admin_consent":                 cty.NullVal(cty.Bool),
		"federated_identity_credential": cty.NullVal(ApplicationType.Attribute("federated_identity_credential").Type),
		"owners":                        cty.NullVal(cty.Set(cty.String)),
		"app_id":                        cty.StringVal(a.AppID),
		"id":                            cty.StringVal(a.ID),
		"service_principal_id":          cty.NullVal(cty.String),
	}
	if sp != nil {
		v["service_principal_id"] = cty.StringVal(sp.ID)
		meta["sp_id"] = sp.ID
	}
	if relevant {
		consent := false
		if sp != nil {
			gr := grantsOf(sp.ID, as, gs)
			gr.meta(meta)
			consent = gr.consented(dir, a.RequiredResourceAccess)
		}
		v["admin_consent"] = cty.BoolVal(consent)
		v["federated_identity_credential"] = ficValue(a.FICs, meta)
		var owners []string
		for _, o := range a.Owners {
			name, id, _ := strings.Cut(o, "\x00")
			owners = append(owners, name)
			meta["owner "+strings.ToLower(name)] = id
		}
		v["owners"] = stringSetOf(owners)
	}
	return providers.LiveObject{Key: a.DisplayName, ID: a.ID, Value: cty.ObjectVal(v), Owner: m.Workspace, Protected: m.PreventDestroy,
		Names: []string{a.AppID}, Meta: meta}
}

func ficValue(fics []federatedCredential, meta map[string]string) cty.Value {
	t := ApplicationType.Attribute("federated_identity_credential").Type
	if len(fics) == 0 {
		return cty.SetValEmpty(t.ElementType())
	}
	var out []cty.Value
	for _, f := range fics {
		meta["fic "+strings.ToLower(f.Name)] = f.ID
		out = append(out, cty.ObjectVal(map[string]cty.Value{
			"name": cty.StringVal(f.Name), "issuer": cty.StringVal(f.Issuer), "subject": cty.StringVal(f.Subject),
			"audiences": stringSetOf(f.Audiences), "description": optString(f.Description),
		}))
	}
	return cty.SetVal(out)
}

func optString(s *string) cty.Value {
	if s == nil || *s == "" {
		return cty.NullVal(cty.String)
	}
	return cty.StringVal(*s)
}

func (r *application) Compile(c providers.Change) ([]providers.Operation, error) {
	switch c.Kind {
	case providers.Create:
		return r.compileCreate(c)
	case providers.Update:
		return r.compileUpdate(c)
	case providers.Delete:
		return []providers.Operation{graphOp("DELETE", "/applications/"+url.PathEscape(c.Prior.ID), nil)}, nil
	}
	return nil, fmt.Errorf("unknown change kind %d", c.Kind)
}

func (r *application) compileCreate(c providers.Change) ([]providers.Operation, error) {
	d := c.Desired
	ps, err := resolvePerms(d.GetAttr("api_permission"), c.Facts)
	if err != nil {
		return nil, err
	}
	body := map[string]any{"displayName": d.GetAttr("display_name").AsString(), "tags": appTags(d, c.Marker)}
	if v := d.GetAttr("sign_in_audience"); !v.IsNull() {
		body["signInAudience"] = v.AsString()
	}
	if v := d.GetAttr("notes"); !v.IsNull() {
		body["notes"] = v.AsString()
	}
	if len(ps) > 0 {
		body["requiredResourceAccess"] = requiredResourceAccess(ps)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	id, appID, spID := schema.Placeholder(c.Addr, "id"), schema.Placeholder(c.Addr, "app_id"), schema.Placeholder(c.Addr, "service_principal_id")
	create := graphOp("POST", "/applications", b)
	create.Produces = map[string]string{"id": id, "appId": appID}
	spBody, _ := json.Marshal(map[string]string{"appId": appID})
	sp := graphOp("POST", "/servicePrincipals", spBody)
	sp.Produces = map[string]string{"id": spID}
	ops := []providers.Operation{create, sp}
	more, err := ficOps(id, d.GetAttr("federated_identity_credential"), cty.NilVal, nil)
	if err != nil {
		return nil, err
	}
	ops = append(ops, more...)
	ops = append(ops, ownerOps(c.Addr, id, d.GetAttr("owners"), cty.NilVal, nil)...)
	if v := d.GetAttr("admin_consent"); !v.IsNull() && v.True() {
		more, err := consentOps(spID, ps, grantsFromMeta(nil), true)
		if err != nil {
			return nil, err
		}
		ops = append(ops, more...)
	}
	return ops, nil
}

func (r *application) compileUpdate(c providers.Change) ([]providers.Operation, error) {
	d, prior := c.Desired, c.Prior
	set := map[string]bool{}
	for _, s := range c.Set {
		set[s] = true
	}
	ps, err := resolvePerms(d.GetAttr("api_permission"), c.Facts)
	if err != nil {
		return nil, err
	}
	id := prior.ID
	patch := map[string]any{}
	if set["sign_in_audience"] {
		patch["signInAudience"] = d.GetAttr("sign_in_audience").AsString()
	}
	if set["notes"] {
		patch["notes"] = d.GetAttr("notes").AsString()
	}
	if set["tags"] || c.WriteMarker {
		patch["tags"] = appTags(d, c.Marker)
	}
	if set["api_permission"] {
		patch["requiredResourceAccess"] = requiredResourceAccess(ps)
	}
	var ops []providers.Operation
	if len(patch) > 0 {
		b, err := json.Marshal(patch)
		if err != nil {
			return nil, err
		}
		ops = append(ops, graphOp("PATCH", "/applications/"+url.PathEscape(id), b))
	}
	if set["federated_identity_credential"] {
		more, err := ficOps(id, d.GetAttr("federated_identity_credential"), prior.Value.GetAttr("federated_identity_credential"), prior.Meta)
		if err != nil {
			return nil, err
		}
		ops = append(ops, more...)
	}
	if set["owners"] {
		ops = append(ops, ownerOps(c.Addr, id, d.GetAttr("owners"), prior.Value.GetAttr("owners"), prior.Meta)...)
	}
	consent := d.GetAttr("admin_consent")
	if !consent.IsNull() && (set["admin_consent"] || set["api_permission"]) {
		spID := prior.Meta["sp_id"]
		if spID == "" && consent.True() {
			// An adopted app without a service principal in this tenant: consent needs one.
			spID = schema.Placeholder(c.Addr, "service_principal_id")
			b, _ := json.Marshal(map[string]string{"appId": prior.Value.GetAttr("app_id").AsString()})
			op := graphOp("POST", "/servicePrincipals", b)
			op.Produces = map[string]string{"id": spID}
			ops = append(ops, op)
		}
		if spID != "" {
			more, err := consentOps(spID, ps, grantsFromMeta(prior.Meta), consent.True())
			if err != nil {
				return nil, err
			}
			ops = append(ops, more...)
		}
	}
	return ops, nil
}

// appTags are the configured tags plus the ownership marker.
func appTags(d cty.Value, m providers.Marker) []string {
	tags := setStrings(d.GetAttr("tags"))
	if tags == nil {
		tags = []string{}
	}
	return append(tags, m.String())
}

// ficOps creates, updates and deletes federated credentials, matched by name.
func ficOps(appID string, want, have cty.Value, meta map[string]string) ([]providers.Operation, error) {
	base := "/applications/" + seg(appID) + "/federatedIdentityCredentials"
	byName := func(v cty.Value) map[string]cty.Value {
		out := map[string]cty.Value{}
		if v == cty.NilVal || v.IsNull() {
			return out
		}
		for it := v.ElementIterator(); it.Next(); {
			_, blk := it.Element()
			out[strings.ToLower(blk.GetAttr("name").AsString())] = blk
		}
		return out
	}
	w, h := byName(want), byName(have)
	var ops []providers.Operation
	for _, n := range sortedKeys(w) {
		blk := w[n]
		body := map[string]any{"issuer": blk.GetAttr("issuer").AsString(), "subject": blk.GetAttr("subject").AsString(), "audiences": setStrings(blk.GetAttr("audiences"))}
		if d := blk.GetAttr("description"); !d.IsNull() {
			body["description"] = d.AsString()
		}
		old, exists := h[n]
		if exists && old.Equals(blk).True() {
			continue
		}
		if exists && meta["fic "+n] != "" {
			b, err := json.Marshal(body)
			if err != nil {
				return nil, err
			}
			ops = append(ops, graphOp("PATCH", base+"/"+url.PathEscape(meta["fic "+n]), b))
			continue
		}
		body["name"] = blk.GetAttr("name").AsString()
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		ops = append(ops, graphOp("POST", base, b))
	}
	for _, n := range sortedKeys(h) {
		if _, ok := w[n]; !ok && meta["fic "+n] != "" {
			ops = append(ops, graphOp("DELETE", base+"/"+url.PathEscape(meta["fic "+n]), nil))
		}
	}
	return ops, nil
}

// ownerOps adds and removes owners. A new owner is looked up by user principal name in the
// apply itself (a GET whose answer fills the reference), so planning reads no users.
func ownerOps(addr, appID string, want, have cty.Value, meta map[string]string) []providers.Operation {
	base := "/applications/" + seg(appID) + "/owners"
	lower := func(v cty.Value) map[string]string {
		out := map[string]string{}
		if v != cty.NilVal {
			for _, s := range setStrings(v) {
				out[strings.ToLower(s)] = s
			}
		}
		return out
	}
	w, h := lower(want), lower(have)
	var ops []providers.Operation
	for _, k := range sortedKeys(w) {
		if _, ok := h[k]; ok {
			continue
		}
		ref := schema.Placeholder(addr, "owner "+k)
		get := graphOp("GET", "/users/"+url.PathEscape(w[k])+"?$select=id", nil)
		get.Produces = map[string]string{"id": ref}
		b, _ := json.Marshal(map[string]string{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/" + ref})
		ops = append(ops, get, graphOp("POST", base+"/$ref", b))
	}
	var gone []string
	for k := range h {
		if _, ok := w[k]; !ok && meta["owner "+k] != "" {
			gone = append(gone, k)
		}
	}
	sort.Strings(gone)
	for _, k := range gone {
		ops = append(ops, graphOp("DELETE", base+"/"+url.PathEscape(meta["owner "+k])+"/$ref", nil))
	}
	return ops
}

func nonEmpty(what string) func(string) string {
	return func(s string) string {
		if strings.TrimSpace(s) == "" {
			return what + " cannot be empty."
		}
		return ""
	}
}

func noMarker(s string) string {
	if strings.Contains(s, providers.MarkerPrefix) {
		return "A tag may not contain exoform's ownership marker; exoform adds it itself."
	}
	return ""
}

func ficName(s string) string {
	if n := len(s); n < 3 || n > 120 || strings.ContainsAny(s, "/\\?#%") {
		return fmt.Sprintf("%q is not a valid credential name: use 3 to 120 characters, without / \\ ? # or %%.", s)
	}
	return ""
}

func httpsURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return fmt.Sprintf("%q is not an https URL; for GitHub Actions the issuer is https://token.actions.githubusercontent.com.", s)
	}
	return ""
}
