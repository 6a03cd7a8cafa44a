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
//   - the Exchange Online admin API: POST /adminapi/beta/{tenant}/InvokeCommand
//     (and $batch of InvokeCommand calls),
//     for inbound connectors, mailboxes (user and shared), CAS settings,
//     mailbox and recipient permissions, inbox rules, the transport and
//     organization configuration, transport rules, Exchange service
//     principals, management scopes and role assignments (RBAC for
//     Applications) and application access policies;
//   - Microsoft Graph v1.0 under /graph/v1.0 (Cloud.GraphURL is .../graph):
//     applications (with addPassword, removePassword, federated identity
//     credentials and owners), service principals (with appRoleAssignedTo
//     and appRoleAssignments), oauth2PermissionGrants, the security defaults
//     policy, users, domains, organization and $batch.
//
// The tenant lives in a JSON state file that several processes may share;
// the sim can seed a realistic demo tenant (Contoso) or a generated large one
// (see "Generated tenants" below), inject faults (throttling, server errors,
// dropped connections, truncated bodies, lost writes) and replication lag.
//
// # Callers
//
// The sim signs in one app, its admin app (Cloud's client id and secret).
// What the app may do is kept in the state with the tenant, as Entra keeps
// an app's consented permissions and directory roles: the roles and wids
// claims of every token the sim issues come from there. Caller names the two
// sets of permissions the sim knows, and SetCaller gives the admin app one
// of them (also shown in Graph as the app's requiredResourceAccess and its
// service principal's app role assignments):
//
//   - admin (the seed): Graph AppRoleAssignment.ReadWrite.All,
//     Application.ReadWrite.All, DelegatedPermissionGrant.ReadWrite.All,
//     Directory.Read.All and Policy.ReadWrite.ConditionalAccess;
//     Exchange.ManageAsApp; the Exchange Administrator directory role.
//   - read-only: Graph Application.Read.All, Directory.Read.All and
//     Policy.Read.All; Exchange.ManageAsApp; the Global Reader directory
//     role. What exoform's plan reads, and no more. Graph answers its writes
//     403 Authorization_RequestDenied "Insufficient privileges to complete
//     the operation." and Exchange its writing cmdlets 403
//     CmdletAccessDeniedException "User is not allowed to call <cmdlet>.",
//     per request and per $batch item.
//
// From the command line: "exoform sim seed --caller read-only" and "exoform
// sim reset --caller read-only" seed a tenant whose admin app may only read
// (--sim=FILE or --state FILE names the tenant "exoform plan --sim" uses);
// "exoform sim serve --caller read-only|admin" switches an existing tenant,
// which keeps the choice; EXOFORM_SIM_CALLER=read-only|admin does the same
// for the embedded tenant of "exoform plan --sim". Tokens issued before a
// switch keep their claims for their hour, as Entra's do.
//
// Stats tells a test what the callers wrote: per service, the write
// requests received (Exchange cmdlets that change the tenant, Graph POST,
// PATCH, PUT and DELETE requests; $batch items one by one, so a $batch of
// GETs writes nothing) and the writes and reads refused for a missing
// permission or role (Graph's 403 Authorization_RequestDenied, Exchange's
// RBAC refusal CmdletAccessDeniedException).
//
// # Invariants
//
//   - sim never imports exoform's providers (or any other exoform package).
//     Clients and sim are written independently from Microsoft's documentation
//     (shared/reference), so a misreading cannot cancel out on both sides.
//   - Every cmdlet parameter the sim accepts exists in Microsoft's cmdlet
//     reference and applies to Exchange Online; everything else is refused
//     with 400 naming the parameter (fidelity_test.go checks both).
//   - Faults hit only the APIs (InvokeCommand and Graph), never the token endpoint.
//   - Runs are reproducible for a seed and the order of each cmdlet's
//     requests: whether a request faults is drawn from a stream per cmdlet,
//     so concurrent requests of different cmdlets may interleave freely.
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
//     access_token, no scope. Tokens carry the admin app's permissions as the
//     state holds them (see Callers), not re-read while they live. A Reset
//     changes the key, so earlier tokens stop working.
//   - Scopes: exactly one "<resource>/.default" (URI or app id) for
//     https://outlook.office365.com or https://graph.microsoft.com, plus any
//     of openid, offline_access, profile and email, which are ignored.
//   - Error bodies have error, error_description ("AADSTSnnn: …"),
//     error_codes, timestamp, trace_id, correlation_id (echoing
//     client-request-id) and error_uri; the texts are modelled on Entra's,
//     not copied.
//
// Exchange InvokeCommand:
//   - Only /adminapi/beta/{tenant}/InvokeCommand and $batch; no v1.0 or v2.0
//     endpoints, no per-entity REST endpoints, no CLIXML (X-ResponseFormat is
//     ignored). X-AnchorMailbox and the other optional headers are neither
//     required nor checked.
//   - Authorization: a missing, malformed, forged, expired (beyond a 5-minute
//     skew) or non-Exchange-audience token is 401; a token for another tenant
//     or without the Exchange.ManageAsApp role is 403. RBAC comes from the
//     wids claim: Exchange Administrator and Global Administrator may run
//     every cmdlet, Global Reader only the cmdlets that do not write (Get-*
//     and Test-*). Microsoft also supports Compliance Administrator, Exchange
//     Recipient Administrator, Helpdesk Administrator, Security Administrator
//     and Security Reader for app-only access, and Exchange role groups
//     holding the app's Exchange service principal (Add-RoleGroupMember);
//     which cmdlets each allows is not simulated: those directory roles get
//     the "isn't supported" refusal and role groups are not simulated. The
//     401/403 bodies are Exchange-shaped JSON with
//     CmdletAccessDeniedException; real bodies were never captured.
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
//     upper cap (the realistic profile caps it, see below), and 1000 without
//     it (Microsoft documents no default; 1000 is the cmdlets' default
//     ResultSize). Preference-Applied echoes it. The nextLink is the same URL
//     (keeping $select) with a $skiptoken holding an offset and the id of the
//     listing the first page made: which objects, in which order. The server
//     keeps that listing in memory (at most 32 listings, each for 15 minutes,
//     dropped after its last page), so a later page costs only its own
//     objects and a list that changes between pages neither skips nor
//     repeats: a page shows its objects as they are when it is served,
//     leaves out those removed since the first page, and objects created
//     since do not appear. Get-Mailbox, Get-CASMailbox, Get-Recipient and
//     Get-RecipientPermission render each page when it is served; other
//     cmdlets' later pages come from the first page's output. A nextLink
//     whose listing is forgotten (another process, a restart, eviction)
//     still works: the cmdlet runs again and the page is cut at the offset,
//     so a list that changed in between can skip or repeat objects. How
//     Exchange keeps its cursors is not documented; this is the sim's
//     choice. Warnings appear on the first page only. $select keeps the
//     named top-level properties and their annotations; a name no object
//     has is ignored. What Exchange does with such a name is not
//     documented, so exoform selects only properties the cmdlet outputs.
//   - $batch (POST /adminapi/beta/{tenant}/$batch, wire-formats A10):
//     {"requests":[{"id","method","url","body","headers"}]} with 1 to 10
//     items (Microsoft publishes no limit; 10 is what CIPP sends), ids
//     unique case-insensitively, method POST and a url (absolute or
//     relative to the host) naming InvokeCommand of the batch's tenant,
//     optionally with $select or a nextLink's $skiptoken; otherwise the
//     whole batch is 400. The token is checked once for the batch; each item
//     then runs as its own InvokeCommand: RBAC per cmdlet, one Stats count
//     per cmdlet, item headers (Prefer…) for the item, the batch's Prefer
//     where an item has none. Items run concurrently (so writes share a
//     save); a batch should not hold items that depend on each other. The
//     answer is 200 {"responses":[{"id","status","headers"?,"body"}]} in
//     request order; body is what InvokeCommand answers (value, warnings and
//     nextLink, or error), headers only Retry-After and Preference-Applied.
//     A nextLink is followed by re-issuing the item with the new url, in a
//     later batch or as a plain InvokeCommand. An unknown cmdlet is 403 with
//     a JSON CmdletAccessDeniedException (an item body must be JSON). Faults
//     are drawn per item in item order before the items run; an item takes
//     only 429 (its plain-text message moved to error.message), 500, 503,
//     504 and lost (the write happens, the item is 500); reset, truncate and
//     html are not drawn for items.
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
// Transport rules and application access:
//   - Transport rules: every New-/Set-TransportRule parameter that applies
//     to Exchange Online is accepted. Value rules come from the reference:
//     Name at most 64 characters and unique (case-insensitive); Comments and
//     RejectMessageReasonText at most 1024; SetSCL and SCLOver -1 to 9;
//     RejectMessageEnhancedStatusCode 5.7.1 or 5.7.900-5.7.999;
//     SmtpRejectMessageRejectStatusCode 400-500; SubjectContainsWords and
//     SubjectOrBodyContainsWords at most 128 characters (applied to each
//     word); SenderIpRanges like EFSkipIPs; the enumerations (Mode,
//     MessageTypeMatches, FromScope, SentToScope without the on-premises
//     ExternalPartner/ExternalNonPartner, WithImportance, ADComparison*,
//     disclaimer location and fallback, …) with their documented values.
//     Sim's choices: *DomainIs values must be SMTP domains; header names are
//     printable ASCII without ":"; sizes are a number with B/KB/MB/GB/TB and
//     print as "10 MB (10,485,760 bytes)"; dates are ISO 8601 or en-US short
//     dates, in UTC, and ExpiryDate must follow ActivationDate; recipients
//     (From, SentTo, RedirectMessageTo, …) are not resolved: any non-empty
//     value is kept as given; patterns are not compiled; Hashtable[]
//     parameters (MessageContainsDataClassifications, on-premises only in
//     function) take strings only; values appearing twice are refused.
//   - A rule needs at least one action (as Exchange 2007 documented; not
//     verified for Exchange Online); a Boolean set to $false is no action or
//     condition. Pairs must come together (SetHeaderName/SetHeaderValue,
//     HeaderContainsMessageHeader/HeaderContainsWords,
//     HeaderMatchesMessageHeader/HeaderMatchesPatterns, BetweenMemberOf1/2,
//     ManagerAddresses/ManagerForEvaluatedUser, and their ExceptIf twins);
//     ADComparisonOperator needs ADComparisonAttribute, the disclaimer
//     location and fallback need ApplyHtmlDisclaimerText, IncidentReportContent
//     needs GenerateIncidentReport.
//   - Priority: 0 is highest and priorities are always 0..N-1. New takes
//     0..N (default N, the end); Set takes 0..N-1; a rule placed at a used
//     priority pushes that rule and all below it down by one; Remove closes
//     the gap. Renumbered rules get a new version (WhenChanged unchanged);
//     one replication delay covers the whole reordering, so readers see it
//     at once. Get-TransportRule lists rules in priority order.
//   - Output: State (Enabled/Disabled; no Enabled property), Mode,
//     RuleErrorAction, SenderAddressLocation, RecipientAddressType,
//     RuleSubType, Priority, Comments, DlpPolicy, ActivationDate, ExpiryDate,
//     Description, Conditions, Exceptions, Actions, one property per
//     condition, exception and action parameter, plus the common properties
//     (Identity and Id are the Name). Unset multi-valued properties are [],
//     unset Booleans false, other unset values null; SetSCL, SCLOver and
//     SmtpRejectMessageRejectStatusCode are numbers. Left-out parts show
//     their documented defaults (ADComparisonOperator Equal, disclaimer
//     location Append and fallback Wrap, reject code 5.7.1 and text
//     "Delivery not authorized, message refused"). Description is generated
//     from parameter names; Conditions, Exceptions and Actions list invented
//     .NET class names (Microsoft.Exchange.MessagingPolicies.Rules.Tasks.
//     <Name>Predicate / <Name>Action). UseLegacyRegex is stored, not shown.
//     -ExcludeConditionActionDetails blanks them all. -Filter takes the
//     OPATH subset below over Description, Name, State, Mode, Priority and
//     Comments. Enabling an enabled rule or disabling a disabled one warns
//     that nothing changed, like a Set that changes nothing.
//   - OPATH (-RecipientRestrictionFilter, -Filter): "Property -op value"
//     with -eq, -ne, -like, -notlike (wildcards * and ?), -and, -or, -not and
//     parentheses; values quoted with ' or " (doubled to escape), $true,
//     $false, $null or a bare word. Comparisons ignore case; property names
//     are not checked. Other operators are refused as invalid syntax.
//   - Service principals: Name, Identity and Id are the ObjectId; Guid is
//     the Exchange object's own. AppId and ObjectId must be GUIDs (not
//     checked against Entra) and each unique. -ServiceId stands in for
//     -ObjectId (the reference marks both mandatory; one is needed). Identity
//     parameters match ObjectId, AppId, Guid or DisplayName (ambiguous
//     display names are refused). OverrideEnforceExoAppRbacPermissions is
//     stored, not shown. Removing a principal removes its role assignments.
//   - Management scopes: only recipient scopes; the filter is shown as
//     RecipientFilter (ScopeRestrictionType RecipientScope, ServerFilter and
//     DatabaseFilter null). RecipientRoot is any non-empty text. Remove is
//     refused (DataValidationException) while an assignment uses the scope.
//   - Role assignments: only the App set works. Role must be one of the 14
//     "Application …" roles (else 404); -User, -SecurityGroup and -Policy
//     are refused because application roles go to service principals only;
//     the non-App scope parameters are refused. At most one of
//     CustomResourceScope (must exist), RecipientAdministrativeUnitScope and
//     RecipientGroupScope (any non-empty text; no AUs or group resolution);
//     Set replaces it, null removes it. Default name "<Role>-<principal
//     display name or ObjectId>", cut to 64, "-2", "-3"… when taken.
//     RecipientWriteScope and RecipientRelativeWriteScope are
//     CustomRecipientScope, AdministrativeUnit, Group (sim's name) or
//     Organization. Get lists only these assignments (no built-in role
//     group assignments); ConfigWriteScope matches "None", AssignmentMethod
//     "Direct", GetEffectiveUsers is ignored.
//   - Recipients for -Resource, -WritableRecipient, -PolicyScopeGroupId and
//     Test-ApplicationAccessPolicy -Identity are looked up among the
//     simulated mailboxes; groups and administrative units are not
//     simulated, so an identity that is no mailbox is kept as given (never
//     404): a filter sees properties derived from its text (an address gives
//     PrimarySmtpAddress, WindowsEmailAddress, UserPrincipalName,
//     EmailAddresses and Alias/Name from its local part; other text is Name,
//     Alias, DisplayName) and its object id is the text when a GUID, else a
//     GUID derived from the tenant and the text. A mailbox offers its
//     identity and address properties, RecipientTypeDetails and its
//     Set-Mailbox settings (CustomAttribute1, …) by name.
//   - Test-ServicePrincipalAuthorization returns RoleName,
//     GrantedPermissions (Full Access bundles unverified),
//     AllowedResourceScope, ScopeType and InScope as the strings "True",
//     "False" or "Not Run" (no -Resource). An AU or group scope is in scope
//     only when -Resource names it. WritableRecipient on Get works the same
//     way.
//   - Application access policies: one policy per New call, holding all its
//     AppIds (GUIDs). PolicyScopeGroupId need not be a mail-enabled security
//     group. Identity is "<tenant id>\<AppIds joined by ','>:<scope object
//     id>" and must be unique; for a mailbox scope ScopeName is its
//     DisplayName and ScopeIdentity its Name, otherwise both are the scope as
//     given; ScopeIdentityRaw is the object id (a mailbox's
//     ExternalDirectoryObjectId); there is no Guid property. The size
//     limit charges 64 + 36 per AppId + the description's bytes against
//     30,300, so 300 one-app policies with one-character descriptions fit
//     (about 100 with 200-character ones). Test-ApplicationAccessPolicy
//     returns AppId, Mailbox, MailboxId, MailboxSid (null) and
//     AccessCheckResult (Granted/Denied): DenyAccess wins, and any
//     RestrictAccess policy for the app denies mailboxes outside its scopes;
//     a mailbox is in a scope only when it is the scope (same mailbox, or
//     same text or object id; no group membership). MailboxId is the
//     mailbox's Guid.
//   - The reference's yaml marks Get-ApplicationAccessPolicy -Identity
//     mandatory; the sim follows the syntax (optional). New-ApplicationAccessPolicy
//     -AccessRight has the yaml's type name ApplicationAccessPolicyIdParameter.
//   - Seed: one hand-made rule "Block executable attachments (legacy)"
//     (priority 0, enabled, no exoform marker); no principals, scopes,
//     assignments or policies.
//
// Recipients and configuration:
//   - Cmdlets: Get-/New-/Set-/Remove-Mailbox, Get-/Set-CASMailbox, Get-Recipient,
//     Get-/Add-/Remove-MailboxPermission, Get-/Add-/Remove-RecipientPermission,
//     Get-/New-/Set-/Remove-InboxRule, Get-/Set-TransportConfig and
//     Get-/Set-OrganizationConfig. Set-CASMailbox, Set-TransportConfig,
//     Add-RecipientPermission and Remove-InboxRule accept every Exchange
//     Online parameter; the others a subset (fidelitySubset in
//     fidelity_test.go), refusing the rest like unknown parameters. Notably
//     refused: Get-Mailbox/Get-CASMailbox -Anr and -SortBy;
//     Get-OrganizationConfig -RetrieveEwsOperationAccessPolicy (not in the
//     reference: EwsAllowedAppIDs is always shown); Set-Mailbox's quota,
//     hold, audit, moderation and archive parameters; most
//     Set-OrganizationConfig parameters (only EwsEnabled, EwsAllowedAppIDs,
//     EwsApplicationAccessPolicy, EwsAllowOutlook, EwsAllowMacOutlook,
//     EwsAllowEntourage, EwsAllowList, EwsBlockList,
//     OAuth2ClientProfileEnabled, SmtpActionableMessagesEnabled,
//     AuditDisabled and RejectDirectSend). Set-Mailbox -PrimarySmtpAddress
//     and Set-TransportConfig -MaxSendSize, -MaxReceiveSize,
//     -InternalSMTPServers and -TLS*DomainSecureList don't apply to
//     Exchange Online and are refused; Get-TransportConfig prints those
//     properties with fixed values (Unlimited, []).
//   - Recipients are user mailboxes and shared mailboxes only (no mail
//     users, contacts, groups or resource mailboxes); they are also the only
//     trustees and delegates: NT AUTHORITY\SELF and groups can't be named.
//     New-Mailbox needs -Shared. A mailbox resolves case-insensitively, in
//     this order, by: Guid, ExchangeGuid or ExternalDirectoryObjectId (braces
//     allowed); UPN or any SMTP address (with or without "smtp:"); the
//     distinguished name; Name or Alias; DisplayName. The first form that
//     matches decides; two matches are ManagementObjectAmbiguousException
//     (400). Not supported: canonical DN, Domain\user, LegacyExchangeDN,
//     SamAccountName.
//   - -Filter on Get-Mailbox, Get-CASMailbox and Get-Recipient takes the
//     OPATH subset below over Alias, Name, DisplayName, PrimarySmtpAddress,
//     WindowsEmailAddress, UserPrincipalName, EmailAddresses (each address
//     matches with or without its "smtp:" prefix), RecipientType,
//     RecipientTypeDetails, ExternalDirectoryObjectId, Guid, ExchangeGuid,
//     HiddenFromAddressListsEnabled and CustomAttribute1-15, plus on
//     Get-CASMailbox ActiveSyncEnabled, EwsEnabled, ImapEnabled, MAPIEnabled,
//     OWAEnabled and PopEnabled (Booleans compare as True/False); a subset
//     of Microsoft's filterable properties. Any other property is 400
//     ParameterBindingException "\"<Property>\" is not a recognized
//     filterable property. Valid property names are: …" (Exchange's text,
//     with the sim's list); a leading wildcard is accepted. The filter runs
//     in the one pass that lists the mailboxes, at the first page.
//     Get-Recipient takes Identity, Filter, RecipientTypeDetails and
//     ResultSize and prints Alias, DisplayName, Name, PrimarySmtpAddress,
//     WindowsLiveID, EmailAddresses, RecipientType, RecipientTypeDetails,
//     ExternalDirectoryObjectId, ExchangeGuid, HiddenFromAddressListsEnabled,
//     CustomAttribute1-15 and the common tail.
//   - Output: Get-Mailbox prints Alias, DisplayName, Name,
//     UserPrincipalName, MicrosoftOnlineServicesID, PrimarySmtpAddress,
//     WindowsEmailAddress, EmailAddresses, RecipientType (always
//     UserMailbox), RecipientTypeDetails, IsShared, AccountDisabled,
//     HiddenFromAddressListsEnabled, MessageCopyForSentAsEnabled,
//     MessageCopyForSendOnBehalfEnabled, DeliverToMailboxAndForward,
//     ForwardingSmtpAddress ("smtp:x"), ForwardingAddress and
//     GrantSendOnBehalfTo (recipients' Names), MaxSendSize, MaxReceiveSize
//     and RecipientLimits (fixed 35 MB, 36 MB, "500"), CustomAttribute1-15
//     (null when unset), ExternalDirectoryObjectId, ExchangeGuid,
//     IsMailboxEnabled, IsDirSynced (false), WhenMailboxCreated and the
//     common tail (ExchangeVersion "0.20 (15.0.0.0)", DistinguishedName in an
//     invented hosted-organization path, Identity and Id = Name, Guid,
//     When*, IsValid, ObjectState). Get-CASMailbox prints Name, DisplayName,
//     PrimarySmtpAddress, EmailAddresses, ExternalDirectoryObjectId, every
//     Set-CASMailbox property, HasActiveSyncDevicePartnership and the same
//     tail. No license properties.
//   - Addresses: PrimarySmtpAddress and WindowsEmailAddress are always the
//     "SMTP:" proxy. New-Mailbox defaults Alias to the Name without the
//     characters an alias can't hold, DisplayName to the Name and the
//     primary address to lower-case alias@ the first accepted domain that is
//     not *.onmicrosoft.com, and adds smtp:alias@<initial domain>; a shared
//     mailbox's UPN is its primary address; AccountDisabled is $true.
//     Names (64 characters), aliases and SMTP addresses (also against
//     UPNs) are unique, case-insensitively (ADObjectAlreadyExistsException);
//     SMTP addresses must be in accepted domains. -EmailAddresses as a list
//     replaces (no prefix means smtp; without "SMTP:" the first SMTP
//     address is primary; other prefixes kept as given); as a hashtable,
//     adding "SMTP:a" promotes a and keeps the old primary as smtp:, and
//     the primary can't be removed. -WindowsEmailAddress promotes the same
//     way. -Type takes Regular or Shared only (AccountDisabled unchanged).
//   - CAS defaults: the documented ones ($true for every protocol);
//     SmtpClientAuthenticationDisabled, EwsAllowOutlook and
//     EwsApplicationAccessPolicy $null; ActiveSyncMailboxPolicy "Default" and
//     OwaMailboxPolicy "OwaMailboxPolicy-Default" are the only policies.
//     $null is accepted only by the tri-state Booleans (and strings and
//     lists); cross-setting rules (…UseProtocolDefaults) are not enforced.
//   - TransportConfig defaults: SmtpClientAuthenticationDisabled $true,
//     ClearCategories and the DSN switches $true, MaxRecipientEnvelopeLimit
//     Unlimited, MessageExpiration 1.00:00:00 (12 hours to 1 day), as
//     documented; reply-all storm protection on with 2500 recipients (1000-
//     5000), 10 replies (5-20) and 6 hours (1-12), DSNConversionMode
//     UseExchangeDSNs, HeaderPromotionModeSetting NoCreate, addresses and
//     languages $null, other Booleans $false: unverified choices. Identity
//     and Name are "Transport Settings". OrganizationConfig: Name and
//     Identity are the initial domain; EwsEnabled and the EWS values $null,
//     OAuth2ClientProfileEnabled and SmtpActionableMessagesEnabled $true;
//     EwsAllowedAppIDs is one string of comma-separated GUIDs, kept as
//     given (an array is a binding error).
//   - Permissions: Get-MailboxPermission (Identity required) lists NT
//     AUTHORITY\SELF {FullAccess, ReadPermission}, the explicit entries, then
//     eight invented inherited entries (SIMPR01A001\Administrator, … deny
//     and allow). Trustees print as their UPN. An Add for rights a
//     (User, Deny, InheritanceType) entry already holds is 200 with the
//     warning "The appropriate access control entry is already present on
//     the object …"; other rights merge into that entry, listed in flag
//     order. Removing rights nobody holds is 200 with the warning "Can't
//     remove the access control entry … because the ACE doesn't exist on the
//     object." (the reference calls it an error; BypassMasterAccountSid
//     silences it). AutoMapping (default $true) is stored, not shown.
//     Recipient permissions: AccessControlType Allow, InheritanceType None,
//     NT AUTHORITY\SELF SendAs on every mailbox; the same warnings. Entries
//     naming a removed mailbox are hidden (Exchange shows unresolved SIDs
//     only on request); so are removed delegates.
//   - Permissions and CAS settings are part of the mailbox record, so their
//     changes are subject to the replication lag like the mailbox. Inbox
//     rules live in the mailbox, not the directory: no lag once the mailbox
//     resolves. Remove-Mailbox deletes at once (no 30-day soft delete; the
//     PermanentlyDelete switch changes nothing).
//   - Inbox rules: -Mailbox (or an Identity "mailbox\rule") is required,
//     because an application has no mailbox of its own. Identity prints as
//     "<mailbox Name>\<RuleIdentity>"; RuleIdentity is a decimal 63-bit
//     number; rules are found by RuleIdentity or Name (names may repeat;
//     naming a repeated one is ambiguous). Priority is 1 (first) to N, New
//     takes 1..N+1 (default last) and moving a rule shifts the others. New
//     rules are enabled (Enable-/Disable-InboxRule are not simulated).
//     Accepted conditions and actions: From, ExceptIfFrom, SentTo,
//     FromAddressContainsWords, SubjectContainsWords, BodyContainsWords,
//     SubjectOrBodyContainsWords, RecipientAddressContainsWords,
//     HeaderContainsWords, ExceptIfSubjectContainsWords, HasAttachment,
//     MyNameInToBox, SentOnlyToMe, WithImportance, MoveToFolder,
//     CopyToFolder, DeleteMessage, SoftDeleteMessage, MarkAsRead,
//     MarkImportance, ApplyCategory, ForwardTo, ForwardAsAttachmentTo,
//     RedirectTo, StopProcessingRules. Recipients are mailboxes (stored as
//     their primary address) or external SMTP addresses, printed as
//     "Display Name" [SMTP:address]. Folders are "mailbox:\Path" in the
//     rule's own mailbox, printed "alias:\Path"; folders themselves are not
//     simulated. No Description; a rule without actions is accepted.
//   - Seed: user mailboxes Adele Vance (adele@), Alex Wilber (alexw@), Megan
//     Bowen (meganb@) and Support (support@), and the hand-made shared
//     mailbox Info (info@) with Adele holding FullAccess and SendAs and
//     MessageCopyForSentAsEnabled $true; Megan has the inbox rule
//     "Newsletters". Every CAS setting is default (Support included).
//     Options.Mailboxes adds user00001… (Name and alias user00001, display
//     names of people drawn by the generator) in the default domain, with
//     GUIDs derived from the tenant and alias.
//
// Generated tenants (Options.Mailboxes, SharedMailboxes, MailboxPermissions,
// Connectors, TransportRules, Apps, SMTPAuthOverrides and GenerateSeed;
// generate.go):
//   - A new state gets the demo tenant plus the generated objects, built the
//     way the cmdlets and Graph build them: parameters go through the
//     cmdlets' own binding (lookupCmdlet, bindParams) and the functions New-,
//     Set- and Add-* apply them with (applyConnectorParams, applyRuleParams,
//     the settings tables, newSharedMailbox, applyProps and
//     validateApplication for Graph). Uniqueness of names, aliases and
//     addresses, which the cmdlets check by scanning the tenant, is kept by
//     construction. A test makes every generated object again through the
//     real APIs on a second tenant and compares every read of both.
//   - Determinism: everything follows from the tenant and GenerateSeed (GUIDs
//     are name-based; dates are drawn from the seed, all before
//     2026-11-23T09:00:00Z, the "present" of generated tenants), except the
//     token signing key and the admin app's secret. Each kind draws from its
//     own random stream, so more connectors leave the rules unchanged; the
//     permissions and SMTP AUTH overrides depend on the mailboxes drawn.
//   - Users: display names are people's names from many languages (they may
//     repeat, as in real tenants); Name and alias stay user00001….
//   - Shared mailboxes: functional ones per office ("Accounts Payable –
//     Nordics", "Kundenservice München") and project mailboxes ("Projekt
//     25-031 Neubau Kita Sonnenhügel"), with ASCII aliases and addresses in
//     the default domain, made as New-Mailbox -Shared makes them; some have
//     MessageCopyForSentAsEnabled, MessageCopyForSendOnBehalfEnabled,
//     HiddenFromAddressListsEnabled or CustomAttribute1 set. Colliding names
//     get " (2)"…, colliding aliases a digit.
//   - Permissions are only on the generated shared mailboxes: half of
//     MailboxPermissions (rounded up) FullAccess (InheritanceType All,
//     AutoMapping mostly $true), the rest SendAs, trustees drawn from every
//     user mailbox (demo users included); most SendAs trustees also hold
//     FullAccess on the mailbox, and a few mailboxes have many delegates.
//   - SMTP AUTH overrides are on generated user mailboxes only (the demo ones
//     keep their defaults): about four in five SmtpClientAuthenticationDisabled
//     $false, against the organization's $true, the rest $true.
//   - Connectors: relays for devices and applications (OnPremises, sender
//     IPs, RestrictDomainsToIPAddresses), enforced TLS with partners
//     (TlsSenderCertificateName, RestrictDomainsToCertificate), partners
//     restricted to their IP addresses, third-party filters (sender domain
//     "*", EFSkipIPs or EFSkipLastIP, sometimes EFUsers) and Hybrid
//     Configuration wizard connectors ("Inbound from <GUID>"); about one in
//     eight disabled. Addresses come from public-looking and documentation
//     ranges; partner domains are Microsoft's fictitious companies and a few
//     invented ones (which may exist on the Internet).
//   - Transport rules: seventeen kinds modelled on common how-tos (delete
//     read receipts, external sender warnings, disclaimers, attachment
//     blocks, spam bypasses, BCC to archive, header tagging, redirects,
//     incident reports, auto-forward blocks…), after the demo rule in
//     priority order; some in Audit or AuditAndNotify mode, about one in
//     seven disabled, some with comments, StopRuleProcessing,
//     SenderAddressLocation HeaderOrEnvelope or an activation window.
//     Recipients in rules are the generated shared mailboxes, users or
//     addresses in the default domain (rule recipients are never resolved).
//   - Apps: an application and its service principal each (display names
//     unique, although Entra allows repeats), asking for Exchange or Graph
//     application permissions or delegated ones; about three in four of those
//     have admin consent (app role assignments; one AllPrincipals grant per
//     resource). About half have one or two client secrets, with metadata
//     only (no value was ever made): about one in five expired, one in six
//     expiring within 30 days of the generated present, the rest valid.
//     Some have one or two owners (users), notes or a description. No
//     federated credentials, certificates, app roles of their own or
//     per-user grants.
//   - Nothing carries an exoform ownership marker.
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
//   - "stall" is a gateway timing out a long-running request: no answer for
//     Options.Stall (sim serve --stall, EXOFORM_SIM_STALL; default 15
//     minutes, as long as Exchange lets a cmdlet run) or until the client
//     gives up, then the connection is dropped. A stalled write runs first,
//     so it has happened although no answer came: whether Exchange's back
//     end finishes a cmdlet whose front-end request timed out is not
//     documented, and a client must assume it may have. Whole requests
//     only: it is not drawn for $batch items (Exchange or Graph).
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
//     objects' GUIDs and ids (the admin app's client id included) are derived
//     the same way. Only the token signing key and the admin app's secret are
//     random.
//   - Every request reloads the state file only when another process replaced
//     it (a stat otherwise). The state is saved as compact JSON (files
//     written indented by earlier versions still load), renamed into place
//     without fsync: the sim survives its process dying, not a power loss.
//   - Writes commit in groups: a request that changed the state leaves the
//     save to a request queued behind it, and the last of a queue saves once
//     for all; every writer is answered only after a save holding its change,
//     and the state lock (flock) is held from the change to that save. A
//     save still encodes the whole state: on the generated 55,000-mailbox
//     tenant of the benchmarks (about 45 MB) a lone write costs a few tenths
//     of a second of CPU, shared by up to as many writers as are in flight
//     (generate_bench_test.go). A full Get-Mailbox -ResultSize Unlimited
//     (56 pages) renders each mailbox once.
//
// Microsoft Graph:
//   - Only /graph/v1.0 (no beta). Authentication: a missing, forged, expired
//     or non-Graph token (aud other than https://graph.microsoft.com or
//     00000003-0000-0000-c000-000000000000) or a token of another tenant is
//     401 InvalidAuthenticationToken. Authorization uses only the token's
//     roles claim (app-only; no delegated tokens, no wids), from the
//     "Permissions" table of each API's page: reads of applications, service
//     principals, owners and assignments need Application.Read.All,
//     Application.ReadWrite.All, Directory.Read.All or Directory.ReadWrite.All,
//     but one application by key and its federated credentials
//     Application.Read.All or Application.ReadWrite.All (their tables list
//     no Directory permission for apps);
//     writes of applications (addPassword, federated credentials, owners
//     included) and service principals Application.ReadWrite.All; adding an
//     owner also Directory.Read.All or Directory.ReadWrite.All ("and
//     Directory.Read.All"); assignment writes AppRoleAssignment.ReadWrite.All,
//     creating one also one of the application read permissions ("and
//     Application.Read.All"); grant reads
//     DelegatedPermissionGrant.ReadWrite.All or Directory.*; grant writes
//     DelegatedPermissionGrant.ReadWrite.All or Directory.ReadWrite.All; the
//     security defaults GET Policy.Read.All or either write permission, its
//     PATCH Policy.ReadWrite.SecurityDefaults or
//     Policy.ReadWrite.ConditionalAccess (both listed by the update doc; the
//     admin app carries the latter); users User.Read.All/Directory.*, domains
//     Domain.Read.All/Directory.*, organization
//     Organization.Read.All/Directory.*. Otherwise 403
//     Authorization_RequestDenied "Insufficient privileges to complete the
//     operation.", for a request or a $batch item alone. Choices where
//     Microsoft's behaviour is unknown: Application.ReadWrite.OwnedBy, which
//     the tables list as least privileged for creating and changing the
//     apps the caller owns and as a higher permission for reads, is refused
//     (ownership by the caller is not simulated); the security defaults GET
//     also takes Policy.ReadWrite.ConditionalAccess, which its page does not
//     list; Directory.ReadWrite.All is not taken for application and service
//     principal writes; the update and delete pages of grants were not
//     checked for Directory.ReadWrite.All. The permission is checked before
//     the object is looked up (403 before 404), but for writes under a
//     service principal (addPassword, appRoleAssignedTo…), where an unknown
//     principal is 404 first; Microsoft's order is not documented.
//     Consents granted through Graph do not change what the token endpoint
//     issues: the admin app's permissions are the state's (see Callers), and
//     secrets added with addPassword cannot be used to get tokens.
//   - Errors are {"error":{"code","message","innerError":{"date",
//     "request-id","client-request-id"}}} with no details; codes
//     InvalidAuthenticationToken, Authorization_RequestDenied,
//     Request_ResourceNotFound (404), Request_BadRequest (400, also for
//     unknown or read-only properties in a body),
//     Request_UnsupportedQuery (a $filter on a property the sim does not
//     filter), BadRequest (unknown path segment, unparsable $filter),
//     Request_MultipleObjectsWithSameKeyValue (409: a second service
//     principal for an appId, a duplicate grant or federated credential
//     name/issuer+subject). Messages are modelled on Graph's, not verbatim.
//     Responses carry request-id and client-request-id headers.
//   - Queries: $filter supports "prop eq 'v'" (strings case-insensitive,
//     true/false/null, bare GUIDs), "prop in ('a','b')" (at most 15
//     values), "startswith(prop,'v')" and "endswith(prop,'v')" joined by
//     "and" (no "or", "not", "ne", lambda operators); endswith and the
//     /{collection}/$count segment (text/plain) need ConsistencyLevel:
//     eventual (and endswith $count=true), else 400. Filterable:
//     displayName/appId/id (applications, service principals),
//     clientId/resourceId/consentType/principalId (grants),
//     userPrincipalName/mail/displayName/id/accountEnabled (users); others
//     are 400 Request_UnsupportedQuery. $search, $orderby and $expand are
//     ignored. $top is 1..999 (default 100, 400 outside); the nextLink is
//     absolute and carries a stateless offset $skiptoken, so a list changing
//     between pages can skip or repeat objects. $count=true adds @odata.count to the first
//     page. $select keeps only the named properties (id too only when
//     named). Unknown query options are ignored.
//   - Entities carry the CSDL properties the sim knows (graph_csdl_test.go
//     checks each against graph-v1.0.csdl); other properties are absent,
//     not null. passwordCredentials list secretText as null; addPassword's
//     secretText is 40 characters shaped like an Entra secret, hint its
//     first 3; endDateTime defaults to start + 2 years. POST /applications
//     takes displayName (required), description, notes, signInAudience
//     (AzureADMyOrg by default), tags, identifierUris,
//     requiredResourceAccess, appRoles, api, serviceManagementReference and
//     isFallbackPublicClient (addPassword and removePassword also work on
//     service principals); web, spa, publicClient and keyCredentials are
//     not simulated; PATCH replaces collections whole. Federated credentials:
//     name 3-120 characters, exactly one audience, at most 20. Owners are
//     service principals or users (POST owners/$ref, DELETE
//     owners/{id}/$ref). Deleting an application deletes it at once (no
//     deleted items) and its service principal; deleting a service
//     principal removes its assignments (both sides) and grants.
//   - Service principals: POST {"appId"} works for an application of the
//     tenant (as readers see it) or for a known multi-tenant application:
//     "Office 365 Exchange Online" (00000002-0000-0ff1-ce00-000000000000),
//     "Microsoft Graph" (00000003-0000-0000-c000-000000000000) and the
//     invented vendor app "Northwind Mail Relay"
//     (5f2c8a71-3d4e-4b9a-8c61-7e0f9d2b4a13, publisher tenant
//     9b7d3e15-2c84-4f6a-a0d1-58e6c3b2f947; app role Relay.Submit, scope
//     user_impersonation); any other appId is 400 "The appId '…' of the
//     service principal does not reference a valid application object.".
//     An SP copies appRoles and api.oauth2PermissionScopes from its
//     application when created and is not updated when the application
//     changes. App role assignments validate that the role exists, is
//     enabled and allows the principal's member type (principals are
//     service principals or users, not groups); the id is 43 base64url
//     characters; a duplicate is 400 "Permission being assigned already
//     exists on the object.". Grant ids are opaque too; grant scopes are
//     not checked against the resource's scopes.
//   - Seed: service principals for Exchange Online and Graph with the app
//     roles and delegated scopes of wire-formats D2/D3 (plus
//     Policy.ReadWrite.ConditionalAccess 01c0a623-… and
//     Policy.ReadWrite.SecurityDefaults 1c6e93a6-…, from secondary sources),
//     owned by the Microsoft tenant f8cdef31-a31e-4b4a-93e4-5f571e91255a;
//     descriptions are the sim's own words. The admin app is an application
//     (one password credential with the secret's hint, requiredResourceAccess
//     for its roles) and a service principal with one app role assignment
//     per role its tokens carry. Security defaults are enabled (tenants
//     created since 2019 have them on by default). Users are a view of the
//     mailboxes (user and shared; ids are the ExternalDirectoryObjectId,
//     accountEnabled the negated AccountDisabled, shown with proxyAddresses
//     only under $select or $filter); users can't be written through Graph.
//     Domains are the accepted domains, all verified and Managed; the
//     default is the first non-onmicrosoft one. The organization's id is the
//     tenant id; its other details are invented.
//   - Replication lag applies to applications (and with them their
//     password and federated credentials and owners), service principals,
//     assignments, grants and security defaults, as for Exchange objects:
//     reads (GET, lists, and POST /servicePrincipals' lookup of the
//     application, so it answers 400 NoBackingApplicationObject-style for a
//     new application) see the old version; writes by id (PATCH, DELETE,
//     addPassword...) see the master copy. Assignment and grant creation look
//     up the referenced service principals and users as readers see them
//     (404 Request_ResourceNotFound while they replicate). The 409 and 403
//     replication errors of wire-formats C3/C2 are not simulated.
//   - $batch: at most 20 requests (else 400), ids unique case-insensitively,
//     dependsOn must name earlier requests; a body requires a Content-Type
//     header. Requests run in order, one after the other; a failed
//     dependency gives 424. Responses come back in request order.
//   - Faults apply to Graph requests too (contrary to the invariant above,
//     which predates Graph); a fault naming a cmdlet never hits Graph.
//     429 and 503 carry Retry-After; 429/500/503/504 have Graph-shaped
//     bodies (codes TooManyRequests, InternalServerError,
//     ServiceUnavailable, GatewayTimeout); "lost" hits non-GET requests
//     that succeeded (500 or reset). A $batch draws once as a whole and
//     then once per item; items take only the status kinds (429, 500, 503,
//     504), reset/truncate/html/lost drawn for an item are ignored.
//     Stats.Requests counts top-level requests as "Graph GET",
//     "Graph POST", ... (not batch items); Stats.Faults counts item faults.
//
// # Realistic profile
//
// Options.Profile (sim serve --profile SPEC, EXOFORM_SIM_PROFILE for --sim;
// see ParseProfile) adds Microsoft's latency and limits, so that how a client
// reads a large tenant can be measured against what the APIs allow. The
// default, "off", adds nothing. The model wraps the router: it runs before a
// handler and never holds the state lock, so waits serialise nothing; a wait
// ends when the client goes away. "realistic" uses the numbers below. Tag
// [V]: Microsoft publishes it; [S]: third parties report it; [choice]: the
// sim's own plausible number, a known difference, configurable.
//
//   - Latency, each request waited before it is served, a $batch once:
//     Graph 100 ms, Exchange (InvokeCommand and $batch) 400 ms, the token
//     endpoint 100 ms [choice; Microsoft publishes no latency, and a real one
//     varies with region, load and result size, which the sim ignores].
//     Discovery documents and JWKS have none.
//   - Exchange concurrency: at most 10 Exchange requests of the tenant in
//     flight [choice; Microsoft publishes no number, and Capture2024's
//     X-Concurrencycount header shows one is kept]. A $batch takes one slot
//     however many items it carries, and its items run at the cost of one
//     latency [choice]. The 11th is refused at once (no latency) with 429,
//     Retry-After one latency rounded up to whole seconds (1 s), and the
//     plain-text body "You have reached the maximum number of concurrent
//     requests per tenant. Please wait and try again." — the text clients
//     recognise whatever the status [S, ExoHelper, wire-formats A8]; the
//     status and the plain-text body are [choice]. The limit is per Server:
//     two processes serving one state file each have their own.
//   - Exchange page size: Prefer (or X-Prefer) odata.maxpagesize above 1000
//     is rewritten to 1000 before the handler runs, at the top level and in
//     $batch items, so Preference-Applied says odata.maxpagesize=1000
//     [choice; 1000 is the cmdlets' default ResultSize [V] and what CIPP
//     asks for [S]; Microsoft documents no cap]. A cap below 1000 also
//     applies to requests that state no preference, which then see
//     Preference-Applied.
//   - Exchange $batch items: at most 10 per batch, with every profile
//     [S, CIPP sends 10; Microsoft publishes no limit].
//   - Graph budgets, per app (the token's appid) and tenant, as token
//     buckets (Graph's identity limits are token buckets [V], Graph docs
//     concepts/throttling-limits.md): 8,000 resource units per 10 s and
//     3,000 writes per 150 s [V for a tenant of more than 500 users; the sim
//     uses the large-tenant numbers whatever its size; smaller tenants get
//     3,500 or 5,000 RU from Microsoft]. A bucket holds its whole budget and
//     refills evenly over its window. Costs [V, same table]: 1 RU, but 2 for
//     GET of applications, users, oauth2PermissionGrants (and one grant),
//     applications/{id}/extensionProperties and
//     servicePrincipals/{id}/appRoleAssignments, 3 for groups/{id}/members,
//     subscribedSkus and contracts, 5 for groups/{id}/transitiveMembers;
//     $select takes 1 off, $expand adds 1, $top below 20 takes 1 off, never
//     below 1. POST, PATCH, PUT and DELETE also spend one write, but for POST
//     directoryObjects/getByIds and getObjectsById (3 RU, no write). The
//     applications signInAudience write costs and the per-app and per-tenant
//     limits across tenants and apps, and the global 130,000 requests per
//     10 s, are not modelled [choice: one client cannot reach them here].
//   - Over a Graph budget: answered at once (no latency) with 429 and
//     Graph's error JSON (code TooManyRequests), Retry-After in whole
//     seconds until the bucket holds
//     the request again (at least 1), x-ms-throttle-scope
//     Tenant_Application/ReadWrite|Write/{appId}/{tenantId} and
//     x-ms-throttle-information ResourceUnitLimitExceeded or
//     WriteLimitExceeded [V for the header names and 429 with Retry-After].
//     Refused requests are charged too, so a client that ignores Retry-After
//     stays throttled longer [V, C12]. Served requests carry
//     x-ms-resource-unit (a $batch: the sum of its items');
//     x-ms-throttle-limit-percentage is not sent [choice; one field report
//     never saw it].
//   - Graph $batch: each item is charged on its own [V, C10]. Items are
//     charged in order; from the first refused one on, every later item is
//     refused too (and charged), so the items passed to the handler are a
//     prefix and their dependsOn still hold [choice]. Refused items come
//     back as 429 items with Retry-After and the throttling headers; a batch
//     none of whose items fits is refused whole with 429 [choice].
//
// Stats counts, with every profile, per service (Graph, Exchange, token):
// HTTP requests (a $batch is one, and also BatchItems), nextLink pages (a
// $skiptoken in the request or an item's url), throttled answers (every 429,
// the profile's and injected faults', plus refused $batch items), the sum of
// the Retry-After told, the peak of requests in flight (including those then
// refused for concurrency) and the latency added; and the writes received
// and the writes and reads refused for a missing permission (see Callers).
// Stats.Table renders them. Requests that fail authentication are counted
// too: the services would have received them (but neither as writes nor as
// refusals: their requests are not read).
//
// Under a profile whose limits bind, which requests are refused depends on
// their timing, so such runs are not reproducible for a seed the way faults
// and lag are; tests of the model replace the clock and the wait instead.
package sim
