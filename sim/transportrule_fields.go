package sim

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// ruleCategory says what a transport rule parameter is: a condition, an
// exception (its ExceptIf twin) or an action. Rule properties (Name,
// Priority, Mode, …) are not in the field table.
type ruleCategory int

const (
	catCondition ruleCategory = iota
	catException
	catAction
)

// ruleFieldShape is how a field is bound and stored.
type ruleFieldShape int

const (
	shapeString ruleFieldShape = iota // single value; null or "" clears
	shapeBool                         // only $true is stored; $false clears
	shapeList                         // multi-valued; [] clears
)

// ruleField is one condition, exception or action parameter of
// New-/Set-TransportRule, with its type in the cmdlet reference and the
// rule each value must follow (check returns the value as stored).
type ruleField struct {
	name    string
	docType string
	cat     ruleCategory
	shape   ruleFieldShape
	enum    []string // canonical values, for enumeration types
	check   func(param, v string) (string, error)
	// group names the predicate or action a field belongs to, so that
	// HeaderContainsMessageHeader and HeaderContainsWords are one condition
	// in Conditions and in the Description.
	group string
}

// ruleConditions are the condition parameters, in the reference's order,
// with their reference types. Every one has an ExceptIf twin (an exception
// with the same type), which ruleFields adds.
var ruleConditions = [][2]string{
	{"ADComparisonAttribute", "ADAttribute"},
	{"ADComparisonOperator", "Evaluation"},
	{"AnyOfCcHeader", "RecipientIdParameter[]"},
	{"AnyOfCcHeaderMemberOf", "RecipientIdParameter[]"},
	{"AnyOfRecipientAddressContainsWords", "Word[]"},
	{"AnyOfRecipientAddressMatchesPatterns", "Pattern[]"},
	{"AnyOfToCcHeader", "RecipientIdParameter[]"},
	{"AnyOfToCcHeaderMemberOf", "RecipientIdParameter[]"},
	{"AnyOfToHeader", "RecipientIdParameter[]"},
	{"AnyOfToHeaderMemberOf", "RecipientIdParameter[]"},
	{"AttachmentContainsWords", "Word[]"},
	{"AttachmentExtensionMatchesWords", "Word[]"},
	{"AttachmentHasExecutableContent", "Boolean"},
	{"AttachmentIsPasswordProtected", "Boolean"},
	{"AttachmentIsUnsupported", "Boolean"},
	{"AttachmentMatchesPatterns", "Pattern[]"},
	{"AttachmentNameMatchesPatterns", "Pattern[]"},
	{"AttachmentProcessingLimitExceeded", "Boolean"},
	{"AttachmentPropertyContainsWords", "Word[]"},
	{"AttachmentSizeOver", "ByteQuantifiedSize"},
	{"BetweenMemberOf1", "RecipientIdParameter[]"},
	{"BetweenMemberOf2", "RecipientIdParameter[]"},
	{"ContentCharacterSetContainsWords", "Word[]"},
	{"From", "RecipientIdParameter[]"},
	{"FromAddressContainsWords", "Word[]"},
	{"FromAddressMatchesPatterns", "Pattern[]"},
	{"FromMemberOf", "RecipientIdParameter[]"},
	{"FromScope", "FromUserScope"},
	{"HasClassification", "String"},
	{"HasNoClassification", "Boolean"},
	{"HasSenderOverride", "Boolean"},
	{"HeaderContainsMessageHeader", "HeaderName"},
	{"HeaderContainsWords", "Word[]"},
	{"HeaderMatchesMessageHeader", "HeaderName"},
	{"HeaderMatchesPatterns", "Pattern[]"},
	{"ManagerAddresses", "RecipientIdParameter[]"},
	{"ManagerForEvaluatedUser", "EvaluatedUser"},
	{"MessageContainsDataClassifications", "Hashtable[]"},
	{"MessageSizeOver", "ByteQuantifiedSize"},
	{"MessageTypeMatches", "MessageType"},
	{"RecipientADAttributeContainsWords", "Word[]"},
	{"RecipientADAttributeMatchesPatterns", "Pattern[]"},
	{"RecipientAddressContainsWords", "Word[]"},
	{"RecipientAddressMatchesPatterns", "Pattern[]"},
	{"RecipientDomainIs", "Word[]"},
	{"RecipientInSenderList", "Word[]"},
	{"SCLOver", "SclValue"},
	{"SenderADAttributeContainsWords", "Word[]"},
	{"SenderADAttributeMatchesPatterns", "Pattern[]"},
	{"SenderDomainIs", "Word[]"},
	{"SenderInRecipientList", "Word[]"},
	{"SenderIpRanges", "MultiValuedProperty"},
	{"SenderManagementRelationship", "ManagementRelationship"},
	{"SentTo", "RecipientIdParameter[]"},
	{"SentToMemberOf", "RecipientIdParameter[]"},
	{"SentToScope", "ToUserScope"},
	{"SubjectContainsWords", "Word[]"},
	{"SubjectMatchesPatterns", "Pattern[]"},
	{"SubjectOrBodyContainsWords", "Word[]"},
	{"SubjectOrBodyMatchesPatterns", "Pattern[]"},
	{"WithImportance", "Importance"},
}

// ruleActions are the action parameters with their reference types.
var ruleActions = [][2]string{
	{"AddManagerAsRecipientType", "AddedRecipientType"},
	{"AddToRecipients", "RecipientIdParameter[]"},
	{"ApplyClassification", "String"},
	{"ApplyHtmlDisclaimerFallbackAction", "DisclaimerFallbackAction"},
	{"ApplyHtmlDisclaimerLocation", "DisclaimerLocation"},
	{"ApplyHtmlDisclaimerText", "DisclaimerText"},
	{"ApplyOME", "Boolean"},
	{"ApplyRightsProtectionCustomizationTemplate", "OMEConfigurationIdParameter"},
	{"ApplyRightsProtectionTemplate", "RmsTemplateIdParameter"},
	{"BlindCopyTo", "RecipientIdParameter[]"},
	{"CopyTo", "RecipientIdParameter[]"},
	{"DeleteMessage", "Boolean"},
	{"Disconnect", "Boolean"},
	{"GenerateIncidentReport", "RecipientIdParameter"},
	{"GenerateNotification", "DisclaimerText"},
	{"IncidentReportContent", "IncidentReportContent[]"},
	{"LogEventText", "EventLogText"},
	{"ModerateMessageByManager", "Boolean"},
	{"ModerateMessageByUser", "RecipientIdParameter[]"},
	{"NotifySender", "NotifySenderType"},
	{"PrependSubject", "SubjectPrefix"},
	{"Quarantine", "Boolean"},
	{"RedirectMessageTo", "RecipientIdParameter[]"},
	{"RejectMessageEnhancedStatusCode", "RejectEnhancedStatus"},
	{"RejectMessageReasonText", "RejectText"},
	{"RemoveHeader", "HeaderName"},
	{"RemoveOME", "Boolean"},
	{"RemoveOMEv2", "Boolean"},
	{"RemoveRMSAttachmentEncryption", "Boolean"},
	{"RouteMessageOutboundConnector", "OutboundConnectorIdParameter"},
	{"RouteMessageOutboundRequireTls", "Boolean"},
	{"SetAuditSeverity", "String"},
	{"SetHeaderName", "HeaderName"},
	{"SetHeaderValue", "HeaderValue"},
	{"SetSCL", "SclValue"},
	{"SmtpRejectMessageRejectStatusCode", "RejectStatusCode"},
	{"SmtpRejectMessageRejectText", "RejectText"},
	{"StopRuleProcessing", "Boolean"},
}

// ruleEnums are the documented values of the enumeration types the
// transport rule parameters use (New-TransportRule reference). SentToScope's
// ExternalPartner and ExternalNonPartner are on-premises only and are
// refused, as Exchange Online documents only the two cloud values.
var ruleEnums = map[string][]string{
	"MessageType":              {"OOF", "AutoForward", "Encrypted", "Calendaring", "PermissionControlled", "Voicemail", "Signed", "ApprovalRequest", "ReadReceipt"},
	"FromUserScope":            {"InOrganization", "NotInOrganization"},
	"ToUserScope":              {"InOrganization", "NotInOrganization"},
	"Importance":               {"Low", "Normal", "High"},
	"EvaluatedUser":            {"Sender", "Recipient"},
	"ManagementRelationship":   {"Manager", "DirectReport"},
	"Evaluation":               {"Equal", "NotEqual"},
	"AddedRecipientType":       {"To", "Cc", "Bcc", "Redirect"},
	"DisclaimerFallbackAction": {"Wrap", "Ignore", "Reject"},
	"DisclaimerLocation":       {"Append", "Prepend"},
	"NotifySenderType":         {"NotifyOnly", "RejectMessage", "RejectUnlessFalsePositiveOverride", "RejectUnlessSilentOverride", "RejectUnlessExplicitOverride"},
	"ADAttribute": append([]string{"City", "Company", "Country"}, append(customAttributes(),
		"Department", "DisplayName", "Email", "FaxNumber", "FirstName", "HomePhoneNumber", "Initials", "LastName", "Manager",
		"MobileNumber", "Notes", "Office", "OtherFaxNumber", "OtherHomePhoneNumber", "OtherPhoneNumber", "PagerNumber",
		"PhoneNumber", "POBox", "State", "Street", "Title", "UserLogonName", "ZipCode")...),
	"IncidentReportContent[]": {"Sender", "Recipients", "Subject", "Cc", "Bcc", "Severity", "Override", "RuleDetections", "FalsePositive", "DataClassifications", "IdMatch", "AttachOriginalMail"},
}

func customAttributes() []string {
	out := make([]string, 0, 15)
	for i := 1; i <= 15; i++ {
		out = append(out, fmt.Sprintf("CustomAttribute%d", i))
	}
	return out
}

// ruleGroups ties the parameters that together make one predicate or action.
// Any other field is its own group.
var ruleGroups = map[string]string{
	"ADComparisonAttribute":             "ADAttributeComparison",
	"ADComparisonOperator":              "ADAttributeComparison",
	"BetweenMemberOf1":                  "BetweenMemberOf",
	"BetweenMemberOf2":                  "BetweenMemberOf",
	"HeaderContainsMessageHeader":       "HeaderContains",
	"HeaderContainsWords":               "HeaderContains",
	"HeaderMatchesMessageHeader":        "HeaderMatches",
	"HeaderMatchesPatterns":             "HeaderMatches",
	"ManagerAddresses":                  "ManagerIs",
	"ManagerForEvaluatedUser":           "ManagerIs",
	"ApplyHtmlDisclaimerText":           "ApplyHtmlDisclaimer",
	"ApplyHtmlDisclaimerLocation":       "ApplyHtmlDisclaimer",
	"ApplyHtmlDisclaimerFallbackAction": "ApplyHtmlDisclaimer",
	"GenerateIncidentReport":            "GenerateIncidentReport",
	"IncidentReportContent":             "GenerateIncidentReport",
	"RejectMessageReasonText":           "RejectMessage",
	"RejectMessageEnhancedStatusCode":   "RejectMessage",
	"SetHeaderName":                     "SetHeader",
	"SetHeaderValue":                    "SetHeader",
	"SmtpRejectMessageRejectStatusCode": "SmtpRejectMessage",
	"SmtpRejectMessageRejectText":       "SmtpRejectMessage",
}

// ruleRequires lists parameters that only make sense with another one: the
// key needs the value. Pairs that need each other appear both ways. The
// ExceptIf twins of conditions follow the same rules.
var ruleRequires = map[string]string{
	"ADComparisonOperator":              "ADComparisonAttribute",
	"BetweenMemberOf1":                  "BetweenMemberOf2",
	"BetweenMemberOf2":                  "BetweenMemberOf1",
	"HeaderContainsMessageHeader":       "HeaderContainsWords",
	"HeaderContainsWords":               "HeaderContainsMessageHeader",
	"HeaderMatchesMessageHeader":        "HeaderMatchesPatterns",
	"HeaderMatchesPatterns":             "HeaderMatchesMessageHeader",
	"ManagerAddresses":                  "ManagerForEvaluatedUser",
	"ManagerForEvaluatedUser":           "ManagerAddresses",
	"ApplyHtmlDisclaimerLocation":       "ApplyHtmlDisclaimerText",
	"ApplyHtmlDisclaimerFallbackAction": "ApplyHtmlDisclaimerText",
	"IncidentReportContent":             "GenerateIncidentReport",
	"SetHeaderName":                     "SetHeaderValue",
	"SetHeaderValue":                    "SetHeaderName",
}

// ruleFields is the full table: conditions, their ExceptIf twins and
// actions, in that order.
var ruleFields = buildRuleFields()

// ruleFieldByName indexes ruleFields by parameter name.
var ruleFieldByName = func() map[string]*ruleField {
	m := map[string]*ruleField{}
	for i := range ruleFields {
		m[ruleFields[i].name] = &ruleFields[i]
	}
	return m
}()

func buildRuleFields() []ruleField {
	var out []ruleField
	for _, c := range ruleConditions {
		out = append(out, newRuleField(c[0], c[1], catCondition))
	}
	for _, c := range ruleConditions {
		out = append(out, newRuleField("ExceptIf"+c[0], c[1], catException))
	}
	for _, a := range ruleActions {
		out = append(out, newRuleField(a[0], a[1], catAction))
	}
	return out
}

// baseName is the condition a field checks, without the ExceptIf prefix.
func baseName(name string) string { return strings.TrimPrefix(name, "ExceptIf") }

func newRuleField(name, docType string, cat ruleCategory) ruleField {
	f := ruleField{name: name, docType: docType, cat: cat, shape: shapeString, check: checkRuleText}
	base := baseName(name)
	f.group = base
	if g, ok := ruleGroups[base]; ok {
		f.group = g
	}
	switch {
	case docType == "Boolean":
		f.shape = shapeBool
	case strings.HasSuffix(docType, "[]") || docType == "MultiValuedProperty":
		f.shape = shapeList
	}
	if e, ok := ruleEnums[docType]; ok {
		f.enum = e
		f.check = nil
	}
	switch docType {
	case "HeaderName":
		f.check = checkHeaderName
	case "RejectText":
		f.check = maxLenCheck(1024)
	case "RejectEnhancedStatus":
		f.check = checkEnhancedStatus
	case "RejectStatusCode":
		f.check = checkSMTPStatus
	case "SclValue":
		f.check = checkSCL
	case "ByteQuantifiedSize":
		f.check = checkByteSize
	case "MultiValuedProperty": // SenderIpRanges
		f.check = checkIPRangeEntry
	}
	switch base {
	case "RecipientDomainIs", "SenderDomainIs":
		f.check = func(p, v string) (string, error) { return v, checkPlainDomain(p, v) }
	case "SubjectContainsWords", "SubjectOrBodyContainsWords":
		f.check = maxLenCheck(128)
	case "SetAuditSeverity":
		f.enum = []string{"DoNotAudit", "Low", "Medium", "High"}
		f.check = nil
	}
	return f
}

// spec is the binding of the field: lists are MultiValuedProperty-style
// (array, single value, null, or an add/remove hashtable), Booleans take
// JSON Booleans, everything else a string (null clears it).
func (f *ruleField) spec() paramSpec {
	switch f.shape {
	case shapeBool:
		return paramSpec{name: f.name, docType: f.docType, kind: kindBool}
	case shapeList:
		return paramSpec{name: f.name, docType: f.docType, kind: kindMulti}
	}
	return paramSpec{name: f.name, docType: f.docType, kind: kindString}
}

// normalize validates one value and returns it as stored: an enumeration
// value in its canonical case, otherwise whatever check makes of it. Values
// are trimmed, except texts.
func (f *ruleField) normalize(v string) (string, *exError) {
	switch f.docType {
	case "DisclaimerText", "SubjectPrefix", "RejectText", "HeaderValue", "EventLogText":
		// Texts keep their spaces ("[EXTERNAL] "); a blank one is refused.
		if strings.TrimSpace(v) == "" {
			v = ""
		}
	default:
		v = strings.TrimSpace(v)
	}
	if f.enum != nil {
		for _, e := range f.enum {
			if strings.EqualFold(e, v) {
				return e, nil
			}
		}
		if base := baseName(f.name); (base == "SentToScope") && (strings.EqualFold(v, "ExternalPartner") || strings.EqualFold(v, "ExternalNonPartner")) {
			return "", errBadRequest(excValidation, "The value '%s' of parameter %s is available only in on-premises Exchange. Valid values in Exchange Online are: %s.", v, f.name, strings.Join(f.enum, ", "))
		}
		return "", errBadRequest(excParameter, "Cannot bind parameter '%s'. Cannot convert value \"%s\" to type \"%s\". Error: \"Unable to match the identifier name %s to a valid enumerator name. Specify one of the following enumerator names and try again: %s\"", f.name, v, strings.TrimSuffix(f.docType, "[]"), v, strings.Join(f.enum, ", "))
	}
	out, err := f.check(f.name, v)
	if err != nil {
		return "", errValidation(err)
	}
	return out, nil
}

// checkRuleText accepts any non-blank value: recipients (the sim does not
// resolve them), words, patterns (not compiled) and texts.
func checkRuleText(param, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("parameter %s can't contain an empty value", param)
	}
	return v, nil
}

func maxLenCheck(max int) func(param, v string) (string, error) {
	return func(param, v string) (string, error) {
		if v == "" {
			return "", fmt.Errorf("parameter %s can't contain an empty value", param)
		}
		if n := len([]rune(v)); n > max {
			return "", fmt.Errorf("the value of parameter %s is too long: the maximum length is %d and the length of the value provided is %d", param, max, n)
		}
		return v, nil
	}
}

// checkHeaderName accepts an RFC 5322 field name: printable ASCII without
// spaces or colons.
func checkHeaderName(param, v string) (string, error) {
	if v == "" {
		return "", fmt.Errorf("parameter %s can't contain an empty value", param)
	}
	for _, c := range v {
		if c < 33 || c > 126 || c == ':' {
			return "", fmt.Errorf("the value %q of parameter %s isn't a valid message header name", v, param)
		}
	}
	return v, nil
}

// checkEnhancedStatus applies "Valid values are 5.7.1 or between 5.7.900
// and 5.7.999".
func checkEnhancedStatus(param, v string) (string, error) {
	if v == "5.7.1" {
		return v, nil
	}
	if rest, ok := strings.CutPrefix(v, "5.7."); ok && len(rest) == 3 {
		if n, err := strconv.Atoi(rest); err == nil && n >= 900 && n <= 999 {
			return v, nil
		}
	}
	return "", fmt.Errorf("the value %q of parameter %s isn't valid: valid values are 5.7.1 or between 5.7.900 and 5.7.999", v, param)
}

// checkSMTPStatus applies "Valid values are the integers 400 through 500".
func checkSMTPStatus(param, v string) (string, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 400 || n > 500 {
		return "", fmt.Errorf("the value %q of parameter %s isn't valid: valid values are the integers 400 through 500", v, param)
	}
	return strconv.Itoa(n), nil
}

// checkSCL applies "an SCL value of -1 or an integer from 0 through 9".
func checkSCL(param, v string) (string, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < -1 || n > 9 {
		return "", fmt.Errorf("the value %q of parameter %s isn't valid: valid values are -1 or integers 0 through 9", v, param)
	}
	return strconv.Itoa(n), nil
}

var byteSizeRE = regexp.MustCompile(`(?i)^([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB)?(?:\s*\([0-9,]+ bytes\))?$`)

// checkByteSize accepts a ByteQuantifiedSize ("10", "10 KB", "1.5 MB", or the
// "10 MB (10,485,760 bytes)" form Exchange prints) and stores the byte count.
func checkByteSize(param, v string) (string, error) {
	m := byteSizeRE.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return "", fmt.Errorf("the value %q of parameter %s isn't a valid size: use a number followed by B, KB, MB, GB or TB", v, param)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	mult := map[string]float64{"": 1, "B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}[strings.ToUpper(m[2])]
	if err != nil || f*mult > 1<<50 {
		return "", fmt.Errorf("the value %q of parameter %s is out of range", v, param)
	}
	return strconv.FormatInt(int64(f*mult), 10), nil
}

// formatByteSize prints a byte count the way Exchange prints a
// ByteQuantifiedSize: "10 MB (10,485,760 bytes)".
func formatByteSize(n int64) string {
	units := []struct {
		name string
		size int64
	}{{"TB", 1 << 40}, {"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}}
	head := fmt.Sprintf("%d B", n)
	for _, u := range units {
		if n >= u.size {
			head = strconv.FormatFloat(float64(n)/float64(u.size), 'f', -1, 64)
			if i := strings.IndexByte(head, '.'); i >= 0 && len(head) > i+4 {
				head = head[:i+4]
			}
			head += " " + u.name
			break
		}
	}
	return head + " (" + groupThousands(n) + " bytes)"
}

func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
