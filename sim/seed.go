package sim

import (
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// defaultTenantDomain is the demo tenant used when Options.Tenant is empty.
const defaultTenantDomain = "contoso.onmicrosoft.com"

// Well-known identifiers (wire-formats A2 and D).
const (
	exchangeResource    = "https://outlook.office365.com"
	exchangeResourceApp = "00000002-0000-0ff1-ce00-000000000000"
	graphResource       = "https://graph.microsoft.com"
	graphResourceApp    = "00000003-0000-0000-c000-000000000000"
	roleManageAsApp     = "Exchange.ManageAsApp"
	widExchangeAdmin    = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	widGlobalAdmin      = "62e90394-69f5-4237-9190-012177145e10"
	widGlobalReader     = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
)

// Reset replaces the state file with a freshly seeded tenant (see
// Options.Tenant for tenant), under the state lock so running servers pick
// the new tenant up on their next request. The CA files are kept, so clients
// that trust the CA keep working; tokens issued before the reset stop working
// because the signing key is new.
func Reset(statePath, tenant string) error {
	return ResetWith(statePath, Options{Tenant: tenant})
}

// ResetWith is Reset with the seeding options of opts: Tenant, the counts of
// generated objects (Mailboxes, SharedMailboxes, MailboxPermissions,
// Connectors, TransportRules, Apps, SMTPAuthOverrides) and GenerateSeed; the
// other fields are ignored. A negative count, or counts that can't be
// satisfied (permissions without shared mailboxes to grant them on), are
// an error and leave the state file as it was.
func ResetWith(statePath string, opts Options) error {
	if statePath == "" {
		return fmt.Errorf("sim reset: no state path")
	}
	st, err := seedStateWith(opts)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(statePath), 0o700); err != nil {
		return fmt.Errorf("sim reset: %w", err)
	}
	s := &store{path: statePath, lockPath: statePath + ".lock"}
	lk, err := lockFile(s.lockPath)
	if err != nil {
		return err
	}
	defer lk.unlock()
	return s.save(st)
}

// seedIfMissing creates and seeds the state file with opts when it does not
// exist yet, under the state lock; Start uses it when the seed needs more
// than the tenant (generated objects).
func seedIfMissing(statePath string, opts Options) error {
	if err := os.MkdirAll(filepath.Dir(statePath), 0o700); err != nil {
		return fmt.Errorf("sim: creating state directory: %w", err)
	}
	s := &store{path: statePath, lockPath: statePath + ".lock"}
	lk, err := lockFile(s.lockPath)
	if err != nil {
		return err
	}
	defer lk.unlock()
	if _, err := os.Stat(statePath); !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	st, err := seedStateWith(opts)
	if err != nil {
		return err
	}
	return s.save(st)
}

// seedState builds the demo tenant. tenant is "" (contoso.onmicrosoft.com), a
// GUID (kept, with the contoso domain) or an initial domain (its GUID is
// derived from the domain, so the same domain always gives the same tenant id).
func seedState(tenant string) (*state, error) {
	return seedStateWith(Options{Tenant: tenant})
}

// seedStateWith builds the demo tenant for opts.Tenant, with the objects
// opts asks the generator for on top (generate.go).
func seedStateWith(opts Options) (*state, error) {
	return seedGenerated(opts, nil)
}

// seedGenerated is seedStateWith; record, when set (tests), receives the
// Exchange cmdlet calls that would make the generated Exchange objects.
//
// Everything in the state follows from the tenant and opts.GenerateSeed,
// except the token signing key and the admin app's client secret (and its
// hint, the secret's first characters), which are random because they are
// secrets.
func seedGenerated(opts Options, record func(string, map[string]any)) (*state, error) {
	id, domain, err := seedTenantIdentity(opts.Tenant)
	if err != nil {
		return nil, err
	}
	prefix := strings.TrimSuffix(domain, ".onmicrosoft.com")
	display := strings.ToUpper(prefix[:1]) + prefix[1:]
	st := &state{
		FormatVersion: stateFormat,
		Tenant: tenantState{
			ID:              id,
			InitialDomain:   domain,
			DisplayName:     display,
			AcceptedDomains: []string{prefix + ".com", domain},
		},
		AdminApp: appState{
			DisplayName:        "Simulated tenant admin",
			ClientID:           nameGUID(id + ":admin-app:client-id"),
			ClientSecret:       newClientSecret(),
			ServicePrincipalID: nameGUID(id + ":admin-app:service-principal"),
			AppRoles: map[string][]string{
				exchangeResource: {roleManageAsApp},
				// The Graph application permissions exoform's Entra resources need; the
				// seeded app role assignments of the admin app match them.
				graphResource: {
					"AppRoleAssignment.ReadWrite.All",
					"Application.ReadWrite.All",
					"DelegatedPermissionGrant.ReadWrite.All",
					"Directory.Read.All",
					"Policy.ReadWrite.ConditionalAccess",
				},
			},
			DirectoryRoles: []string{widExchangeAdmin},
		},
		TokenSigningKey: newSigningKey(),
	}
	st.ensureMaps()
	for _, c := range demoConnectors(st.Tenant) {
		st.Exchange.InboundConnectors[c.Guid] = &versioned[inboundConnector]{Current: c}
	}
	seedRecipients(st)
	seedRules(st)
	seedGraph(st)
	if err := generate(st, opts, record); err != nil {
		return nil, err
	}
	return st, nil
}

func seedTenantIdentity(tenant string) (id, domain string, err error) {
	tenant = strings.TrimSpace(tenant)
	switch {
	case tenant == "":
		return nameGUID("tenant:" + defaultTenantDomain), defaultTenantDomain, nil
	case strings.Contains(tenant, "-"):
		if g, ok := parseGUID(tenant); ok {
			return g, defaultTenantDomain, nil
		}
	}
	d := strings.ToLower(tenant)
	if strings.HasSuffix(d, ".onmicrosoft.com") && validDomain(d) {
		return nameGUID("tenant:" + d), d, nil
	}
	return "", "", fmt.Errorf("sim tenant %q is neither a GUID nor an initial domain like fabrikam.onmicrosoft.com", tenant)
}

// demoConnectors are two connectors an administrator made by hand long
// before any tool arrived: exoform must adopt or leave them, never delete
// them, so their comments carry no ownership marker.
func demoConnectors(t tenantState) []*inboundConnector {
	prefix := strings.TrimSuffix(t.InitialDomain, ".onmicrosoft.com")
	relayCreated := time.Date(2021, 3, 14, 9, 26, 53, 0, time.UTC)
	partnerCreated := time.Date(2022, 11, 2, 16, 4, 11, 0, time.UTC)
	relay := newInboundConnector(nameGUID(t.ID+":connector:relay"), "Legacy scanner relay", relayCreated)
	relay.ConnectorType = "OnPremises"
	relay.SenderDomains = []string{prefix + ".com"}
	relay.SenderIPAddresses = []string{"203.0.113.25"}
	relay.RestrictDomainsToIPAddresses = true
	relay.RequireTls = false
	relay.Comment = strPtr("Relay for the floor 2 multifunction printers (ticket INC-20417)")
	relay.WhenChanged = relayCreated.Add(26 * time.Hour)

	partner := newInboundConnector(nameGUID(t.ID+":connector:fabrikam"), "Partner fabrikam TLS", partnerCreated)
	partner.SenderDomains = []string{"fabrikam.com"}
	partner.TlsSenderCertificateName = strPtr("mail.fabrikam.com")
	partner.RequireTls = true
	partner.RestrictDomainsToCertificate = true
	partner.Comment = strPtr("Enforced TLS with Fabrikam, data exchange agreement 2022")
	return []*inboundConnector{relay, partner}
}

// newClientSecret makes a secret shaped like an Entra client secret value
// (40 characters, "8Q~" after a 3-character hint), so code that tells secret
// values from secret ids meets a realistic value.
func newClientSecret() string {
	b := randomBytes(37)
	for i := range b {
		b[i] = secretAlphabet[int(b[i])%len(secretAlphabet)]
	}
	return string(b[:3]) + "8Q~" + string(b[3:])[:34]
}

// secretAlphabet are the characters of Entra client secret values.
const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"

// nameOpaqueID is an id shaped like opaqueID's, derived from name, for
// seeded objects that must be the same in every seed of a tenant.
func nameOpaqueID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func newSigningKey() string {
	return base64.StdEncoding.EncodeToString(randomBytes(32))
}

func strPtr(s string) *string { return &s }
