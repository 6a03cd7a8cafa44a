// Package sim is exoform's simulated Microsoft 365 tenant: an HTTPS server
// that speaks the real wire protocols, so exoform's real clients (azidentity
// included) run against it unchanged, the way they run against a sovereign
// cloud. Only the endpoints differ; Cloud describes them.
//
// It serves:
//
//   - the Entra token endpoint: GET /{tenant}/v2.0/.well-known/openid-configuration
//     and POST /{tenant}/oauth2/v2.0/token (client credentials with a client
//     secret), enough for azidentity's ClientSecretCredential with
//     DisableInstanceDiscovery;
//   - the Exchange Online admin API: POST /adminapi/beta/{tenant}/InvokeCommand,
//     currently for Get-, New-, Set- and Remove-InboundConnector;
//   - /graph/..., reserved for Microsoft Graph (501 until it is simulated).
//
// The tenant lives in a JSON state file that several processes may share;
// the sim can seed a realistic demo tenant (Contoso), inject faults
// (throttling, server errors, dropped connections, truncated bodies, lost
// writes) and replication lag.
//
// # Invariants
//
//   - sim never imports exoform's providers (or any other exoform package).
//     Clients and sim are written independently from Microsoft's documentation
//     (shared/reference), so a misreading cannot cancel out on both sides.
//   - Every cmdlet parameter the sim accepts exists in Microsoft's cmdlet
//     reference and applies to Exchange Online; everything else is refused
//     with 400 naming the parameter (fidelity_test.go checks both).
//   - Faults hit only InvokeCommand, never the token endpoint.
//   - Runs are reproducible for a seed and a request order.
//   - The admin app's secret is written only to the state file and to cloud
//     files the caller asks for (mode 0600).
//
// # Known differences from Microsoft
//
// Where Microsoft's behaviour is unknown or was simplified, the sim does the
// following. Each item is a choice, not a fact about Microsoft.
//
// Entra token endpoint:
//   - Only grant_type=client_credentials with a client secret (form field or
//     HTTP Basic). Client assertions (certificates, federated credentials,
//     workload identity) get 400 unsupported_grant_type (AADSTS70003); so do
//     other grants. There is no instance discovery, authorize or device code
//     endpoint (discovery advertises them, they answer 404): clients must set
//     DisableInstanceDiscovery.
//   - The tenant in the path is the GUID or the initial domain, in any case;
//     other verified domains, "common" and "organizations" are unknown tenants
//     (400 invalid_tenant, AADSTS90002).
//   - The issuer and endpoints in the discovery document use the host the
//     client called, so MSAL's issuer check passes for 127.0.0.1 and localhost.
//   - Access tokens are HS256 JWTs signed with a key kept in the state file
//     (real tokens are RS256); jwks_uri returns an empty key set; there is no
//     kid or x5t. Claims are v1.0-shaped (iss https://sts.windows.net/{tid}/,
//     ver 1.0) and limited to aud, iss, idp, iat, nbf, exp, appid, appidacr,
//     idtyp, oid, sub, tid, roles, wids, uti and ver. Lifetime is one hour;
//     the response has token_type, expires_in, ext_expires_in and
//     access_token, no scope. Graph tokens carry a fixed list of application
//     permissions. A Reset changes the key, so earlier tokens stop working.
//   - Scopes: exactly one "<resource>/.default" (URI or app id) for
//     https://outlook.office365.com or https://graph.microsoft.com, plus any
//     of openid, offline_access, profile and email, which are ignored.
//   - Error bodies have error, error_description ("AADSTSnnn: …"),
//     error_codes, timestamp, trace_id, correlation_id (echoing
//     client-request-id) and error_uri; the texts are modelled on Entra's,
//     not copied.
//
// Exchange InvokeCommand:
//   - Only /adminapi/beta/{tenant}/InvokeCommand; no $batch, no v1.0 or v2.0
//     endpoints, no per-entity REST endpoints, no CLIXML (X-ResponseFormat is
//     ignored). X-AnchorMailbox and the other optional headers are neither
//     required nor checked.
//   - Authorization: a missing, malformed, forged, expired (beyond a 5-minute
//     skew) or non-Exchange-audience token is 401; a token for another tenant
//     or without the Exchange.ManageAsApp role is 403. RBAC comes from the
//     wids claim: Exchange Administrator and Global Administrator may run
//     every cmdlet, Global Reader only Get-*. The 401/403 bodies are
//     Exchange-shaped JSON with CmdletAccessDeniedException; real bodies were
//     never captured.
//   - A cmdlet the sim does not simulate is treated as an unknown cmdlet:
//     403 with a body of 10 NUL bytes labelled Content-Encoding: gzip (what
//     Exchange does for unknown cmdlets), plus the sim-only header
//     X-Sim-Error naming the simulated cmdlets.
//   - Status codes follow the 2026 measurements: 404 NotFound for a missing
//     object, 400 BadRequest for binding and validation errors and duplicates
//     (older captures show 500 for all cmdlet errors).
//   - Exception types: a missing object is ManagementObjectNotFoundException
//     with id Ex94914C (the id clients test for). The others are the sim's
//     choice: Microsoft.Exchange.Configuration.Tasks.ParameterBindingException
//     (unknown, repeated, missing or mistyped parameter, bad enum value),
//     Microsoft.Exchange.Configuration.Tasks.DataValidationException (a value
//     breaking a documented rule) and
//     Microsoft.Exchange.Data.Directory.ADObjectAlreadyExistsException
//     (duplicate name); their Ex ids are derived from the type name. Texts are
//     modelled on PowerShell's and Exchange's and name the parameter, but are
//     not verbatim. details[].target is always ""; innererror has no
//     stacktrace; there is no X-ExceptionType header.
//   - PowerShell common parameters (ErrorAction, WarningAction, Verbose, …)
//     are refused like any parameter the reference does not list.
//   - Parameter binding: names are case-insensitive; Boolean parameters take
//     JSON booleans or numbers, not strings; string parameters take strings
//     or numbers; multi-valued parameters take an array, a single string,
//     null (clear), or {"@odata.type":"#Exchange.GenericHashTable","Add":[…],
//     "Remove":[…]} with keys in any case. Adding a present value or removing
//     an absent one is ignored; a list naming a value twice is refused.
//   - Paging: the page size is Prefer (or X-Prefer) odata.maxpagesize, with no
//     upper cap, and 1000 without it (Microsoft documents no default; 1000 is
//     the cmdlets' default ResultSize). Preference-Applied echoes it. The
//     nextLink is the same URL (keeping $select) with a stateless $skiptoken
//     holding an offset: the cmdlet re-runs for each page, so a list that
//     changes between pages can skip or repeat objects. Warnings appear on
//     the first page only. $select keeps the named top-level properties and
//     their annotations.
//   - ResultSize defaults to 1000; when it cuts a list, the classic warning
//     is added.
//   - New-* returns the new object; Set-* and Remove-* return an empty value.
//     A Set-* that changes nothing returns the warning "The command completed
//     successfully but no settings of '<Name>' have been modified." (wording
//     unverified). WhatIf validates and writes nothing, returning an empty
//     value and no "What if" text. Confirm is accepted with either value.
//   - Success headers are Content-Type, OData-Version and Request-Id; no
//     Rate-Limit-*, X-Exchangeversion or concurrency headers.
//   - DateTime values print as "2006-01-02T15:04:05.0000000+00:00" in UTC, for
//     both the local and the …UTC properties.
//
// Inbound connectors:
//   - Output properties: every connector property in the cmdlet reference
//     (Enabled, ConnectorType, ConnectorSource, Comment, SenderIPAddresses,
//     SenderDomains, AssociatedAcceptedDomains, ClientHostNames, RequireTls,
//     RestrictDomainsToIPAddresses, RestrictDomainsToCertificate,
//     CloudServicesMailEnabled, TreatMessagesAsInternal,
//     TlsSenderCertificateName, EFTestMode, ScanAndDropRecipients,
//     EFSkipLastIP, EFSkipIPs, EFSkipMailGateway, EFUsers,
//     TrustedOrganizations) plus ExchangeVersion, Name, DistinguishedName,
//     Identity, WhenChanged, WhenCreated, WhenChangedUTC, WhenCreatedUTC, Id,
//     Guid, IsValid and ObjectState. RunspaceId, AdminDisplayName,
//     ObjectCategory, ObjectClass, OrganizationId, OriginatingServer and
//     ExchangeObjectId are absent.
//   - SenderDomains are returned as given ("contoso.com", "*.contoso.com"),
//     never in the "smtp:contoso.com;1" form some tools have seen.
//   - Unset multi-valued properties are [] (never null); an unset Comment or
//     TlsSenderCertificateName is null, and setting either to "" stores null.
//   - Identity and Id are the Name; ExchangeVersion is always "0.1 (8.14.0.0)";
//     ObjectState is always "Unchanged"; IsValid is always true; the
//     DistinguishedName's container path is invented.
//   - Identity parameters match the Name (case-insensitive) or the GUID (any
//     case, braces allowed); not the distinguished name, not wildcards.
//   - Defaults: Enabled $true, ConnectorType Partner, ConnectorSource
//     Default, RequireTls $true for every connector type (the reference gives
//     $true as the default without naming a type; the OnPremises default is
//     unverified), CloudServicesMailEnabled $true only when ConnectorSource is
//     HybridWizard, every other Boolean $false.
//   - Validation from the reference: Name and SenderDomains are mandatory on
//     New; names are unique, case-insensitively; SenderDomains and
//     TlsSenderCertificateName are SMTP domains where a leading "*." is allowed
//     and an embedded "*" is not (SenderDomains also accepts "*");
//     SenderIPAddresses are IPv4 addresses or IPv4 CIDR ranges /24 to /32
//     ("IPv6 addresses are not supported"); EFSkipIPs are an address, a range
//     "first-last" or a CIDR range (IPv6 accepted: the reference does not
//     exclude it); AssociatedAcceptedDomains must be accepted domains of the
//     tenant; ConnectorType and ConnectorSource are their documented enums.
//     Assumptions: names are at most 64 characters (the directory's
//     common-name limit); SenderDomains cannot be cleared by Set; EFUsers are
//     SMTP addresses; TrustedOrganizations are SMTP domains; ClientHostNames
//     follow the TlsSenderCertificateName rule; EFSkipMailGateway and
//     ScanAndDropRecipients ("reserved for internal Microsoft use") accept
//     any non-empty string. Cross-field rules (for example whether an
//     OnPremises connector needs sender IPs or a certificate) and the E5
//     developer subscription restriction are not enforced.
//
// Replication lag (Options.Lag):
//   - Each write of an object draws one delay, uniform in (0, Lag], from the
//     seeded RNG. Until it passes, reads (Get-*) see the version before the
//     write: a new object is absent from lists and 404 by Identity; a removed
//     object is still listed; a changed object shows its old values. Writes
//     (Set-*, Remove-*, the duplicate-name check of New-*) see the master
//     copy at once, as Exchange writes go to the master directory. A second
//     write within the window restarts it from what readers see at that
//     moment. Pending versions and their visible_at times are persisted in the
//     state file, so the lag spans processes.
//   - Real lag differs per replica, and successive reads can alternate
//     between replicas; the sim's reads never go back in time.
//
// Faults (Options.Faults, see ParseFaults):
//   - Each InvokeCommand request draws once per applicable SPEC item, in SPEC
//     order; the first hit wins. Draws come from an RNG seeded with
//     Options.Seed, separate from the lag RNG; with concurrent requests the
//     sequence depends on their arrival order.
//   - Faults other than "lost" answer without running the cmdlet. The bodies
//     of "reset" and "truncate" are a cut synthetic success envelope, not the
//     cmdlet's real output. 429 sends the plain-text throttling message
//     clients look for; 500, 503 and 504 send Exchange-shaped JSON with
//     TransientException; 429 and 503 send Retry-After in whole seconds
//     (Options.RetryAfter rounded up). "html" sends an IIS-style page with
//     500 or 503. "lost" applies only to writing cmdlets: the write is
//     persisted, then the answer is a 500 or a reset (chosen by the RNG); a
//     write that fails validation is answered normally and not counted.
//
// Server and state:
//   - HTTP/1.1 only (no HTTP/2), because the reset fault hijacks connections.
//   - Cross-process locking uses flock on Unix; on Windows only servers in one
//     process exclude each other, so sharing a state file between processes is
//     unsupported there.
//   - Options.Tenant only matters when the state file is created; an existing
//     state keeps its tenant. Reset reseeds it and keeps the CA.
//   - A tenant given as a domain gets a GUID derived from the domain (name-based
//     GUID), so the same domain always yields the same tenant id; the seeded
//     connectors' GUIDs are derived the same way. The admin app's client id
//     and secret are random.
package sim
