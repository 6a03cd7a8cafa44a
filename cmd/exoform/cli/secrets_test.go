package cli_test

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/exoform/exoform/cmd/exoform/cli"
	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/sim"
)

// Planted values: credentials the test hands exoform, which must come out nowhere.
const (
	plantedWrongSecret  = "Wr0ng~Planted.ClientSecret_7Qz"
	plantedCertPassword = "P12-planted-pass#7"
	plantedBadPassword  = "Planted-wrong-P12-pass!9"
	plantedSensitiveVar = "Planted-sensitive-variable~31"
	// plantedFederatedToken is shaped like a GitHub Actions OIDC token (not signed by anyone).
	plantedFederatedToken = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL3Rva2VuLmFjdGlvbnMuZ2l0aHVidXNlcmNvbnRlbnQuY29tIiwic3ViIjoicmVwbzpjb250b3NvL21haWw6cmVmOnJlZnMvaGVhZHMvbWFpbiJ9.UGxhbnRlZEZlZGVyYXRlZFRva2VuU2lnbmF0dXJl"
)

// plantedP12 is a PKCS#12 file (a test-only RSA key and self-signed certificate), encrypted
// with plantedCertPassword. Made with:
//
//	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 36500 -subj "/CN=exoform secrets test"
//	openssl pkcs12 -export -in cert.pem -inkey key.pem -out app.p12 -passout pass:'P12-planted-pass#7' \
//	  -keypbe PBE-SHA1-3DES -certpbe PBE-SHA1-3DES -macalg sha1
//
// (the legacy algorithms are the ones azidentity's PKCS#12 reader supports).
const plantedP12 = "" +
	"MIIJYQIBAzCCCScGCSqGSIb3DQEHAaCCCRgEggkUMIIJEDCCA8cGCSqGSIb3DQEHBqCCA7gwggO0AgEAMIIDrQYJKoZIhvcNAQcB" +
	"MBwGCiqGSIb3DQEMAQMwDgQI54iQRRqvZd8CAggAgIIDgHOkWIQ7cCEfMlzr1FJi8xcRVt3uOL1qTyud0OycINTt1OmofT7Mmda3" +
	"7z+xrdeysdZZzi95WziE2upv4kfzotYAlQVQdHQpiOMFpd61+4lSN6md1aW15YQGxUyTwP5NwRwQVXBF1F1I1mwPD7ipgClR1Bvj" +
	"/1LUTWiTOC5kjc9L5Scv/HnsJWWU7rOsxOmpKvqZfmFhCpWBi0dEuWLxzWKcha+dgK/Wd8MDPfFKJMmwPLTH9MlNkF0zTFEAvuK9" +
	"y7fZE258vpDVevDscg3mnI0LWWSH5nHJdZvR97Lc4kMaJlq8zZ7abi9oSLYcX4/kmPA71mOhz6OITI5v5wns/ENE8vo2CnqoAjcK" +
	"Em+iy794aa4UUhNsWmdP0VSjuJSRzsfO501Nk4Nxv9EXXjTZ/iEJYfyG0fkRCB906KbDinq96jjgMaIQ1RIRpq1a3Je0JPVcUEOF" +
	"DKuCXUDJHZ6bVVT+01RC2IibhHBNLgQ4wM4wvLyD3o3SpHnCRufod8u88bAPOEMXyIDQ3nBzKNkv3Qdyoy4Vo1QtMltzXVMnEp1/" +
	"oiFvHdNPLa+xh2lV/TEfl0cNTE0E6q03MH6wDkHHKs3Tpa90RVglSFTP/CWN4KVgco1ZXg+vFslTUuvBRV37iCS5bVg4dQp/uV3A" +
	"9eWYY2X3gi08rLT5CQn+Lsgb77naTaJjqvpCA0RmGd18fiS29QaD5kJeFRIAA6PtT2f3lwR89cyPrIOSEhA9q52Ga8NvqJfYkK4J" +
	"2zjVmcRSsxooKBpGWdSnjy2IJ20ctlPvk7i0/WFdhB+h3hLL1QwUQCjPu/RBsC7qM/VcynPFmvpNrOv1vVhpEFgSGyxa3mrohpxx" +
	"ZfbYuSEeTn1aP6SMMg4o97pf3LgdtZEbkSCBD88YvJ8+/HuxiYb0NkSJSpE2189HK6O55K5cx1RAgf9aWofXcNFprTtiy6t1N5pZ" +
	"anQGDqqgIjA5RQn98Y+7MWCAWdBwzwfKa0YLZ7ws+HbAaersHEkht04lhehCURewgEGOhLwSj/TKflj7+5GubrpOHV4gsIwVH1+e" +
	"rVeaC1lHDShvVukFHy8LQgKlLO7DBUS94BTwIaOc8g1qzI7FLazkj2DBzoPiKoNsJAJ+sPVzp0qlAuO3GAS+IQI5rELttwNv0KRe" +
	"yxqDv4o99kuE39JRnX7sNGoTUC8FCQhcqct3PJLqMIIFQQYJKoZIhvcNAQcBoIIFMgSCBS4wggUqMIIFJgYLKoZIhvcNAQwKAQKg" +
	"ggTuMIIE6jAcBgoqhkiG9w0BDAEDMA4ECNTmecu2xwhdAgIIAASCBMiQeKAMeaSx95DGGyH3Mu9a8dvjLuw2bhmhbVEkDcUSKoqv" +
	"BBk7iBHrRJcO7TStzsPAGKVUfZRygl6eBaooHxRxMt0kRMUdIaRtCkwokx9XBnmnwOjZQy5Ck4TyZcw/rQstupx7Vw6+BCoOJG4Q" +
	"Wdhsz7AJ8P4SE1pCAcUa7V9ALHc+q3SHLi7jCAfDYXmWQU6DWHp6T/VXyP+7fGboZXy7EDU9nQk0JGKhCBdxQSJwxjn+fI83w8Cq" +
	"x/CfSh1XH7VkL42Ob7XXae+DqtI+3AhCzhLzs1tgBIeT3s7A5qBcDH2rQEY9gWiMJzWtmZHXTt/pEPdC+jY1D9fXzM5/e80FYBnZ" +
	"b4iYY4C4t+yftfqSNANpBqQ4deGQ3QLJX9Rdd90CWr2O8y6WRsdy5iwY407dAKouUBc8pj7RhlV55CeedKK7AdNW45frMXhO7Wyw" +
	"lMAmylXYOPpfjQCPB1JW6zgnO2uFj7ijAVA65yT8NhdwOUo+z9BZCJmXunxjrbnt6jAGzWknAPOpj6RfdvAopMDl1V9g5PXbWE9F" +
	"DW5gl11ReFvUSXEQf1OSUgXbJSVrYZRIBfsmD0GyReUIo9yYd3EXwNlnbBiqmu2uilHbMUqhabypvlIm5+ZGmFsPkDfUtI0XFoF5" +
	"CSJOq5l15CFQ0ipNExJp0qL+q7iX8GwrGc82tvk+gwqpllB0x/Mw4SHydeTLIIeUzXEK444f+LhCV9uVMhn1z7o3Swsy2j//0Oqz" +
	"gMrmVrnL0ISgRAG3fYk3HXAaM+BxPHnKSE4JiJWpv45KDYpPA5Q5lvjaIdyJnW6Kk9JFTyfux0IxXYHe6w1F3fZsK5SRQC2OxfWt" +
	"+gki1M3lYWFDq5qJDyt3BwKjVUep4B2pRDf5CUyONCJkMBiWP8YI22syIbV2jml5oNZ2pl8oLSrYjszn/gw/gwSwnC13Ux6HwxDT" +
	"eaG5c7Ua22zY5i6MLQ02ISui6ymJCaij5TScfTDN48dV/PapgmLoUxlK0hmJlyth/oEJCe0k94nMt+ce0xq+Ch4+Li6Krbk/8k8M" +
	"cHDJexXXIbytsebif0ifITE5KZjiWTA9iruCCSBJTTDuVk3iwU7wvpGaLMel8pb53Cjm5SpnBYCbnfG2i6UZMLyz8RCYmUFw5Pga" +
	"Kd+9/yzFIPNBkrBolQ1tCTtSK4B0VChG9VUSH0kIMuAyTU91wDZlDlefgVvkYJFKn12/QdNxPzyixqcBGNZm3/INpvEMIhI7LSzt" +
	"trOpBBOm8Cq8jXxXf8pmwF4TALBiAMGuZ2nla6A4yj40CGdpbiwW62g+abfDkmr+o01V2BNA2QD9y0vz9oc+EsX3sxKYW0arzmi1" +
	"I3xsmScjmUi7I4rEyU9vyXt/sZ+Ci6Qv4zq2jOc7yvQEbQ8AkZkK9U+lWDfqPFJodLFdj7eMV1WjzArm6BtlIHqOHVRHFvLzEBp5" +
	"cjpDMs2A+fAepaWmZDXDeV2uUdASkQ3/LlaGerIxrW1aIp6gwMcoLNySY7rHhvEnfr6UACe7xbzdkrjHa2vL6IyrwDMFlJMbm3qp" +
	"xfT6YyKQJFpkPZjES/FQsgH5rky8kIXcqFfgTt3xWOKlpyvjv2lZaXFWrSbyRYovQ6g7Yl6xzYXhkspidxO9bdsxJTAjBgkqhkiG" +
	"9w0BCRUxFgQU/gmMV+xPHtUBQg1970fBBgXrzBswMTAhMAkGBSsOAwIaBQAEFLEU+2+cm1XCSMvpZhEX5Hk8brPiBAg1uTLo2G/W" +
	"vAICCAA="

// TestSecretsNeverLeak runs exoform the way a user does, with EXOFORM_LOG=trace or debug, with
// every kind of credential and through failing sign-ins and faults, and searches everything it
// printed and wrote for the secrets involved: the client secret it signed in with, a wrong
// one, certificate passwords and the certificate's key, every access token the simulated
// tenant issued and every client assertion exoform sent (recorded by a proxy in front of the
// tenant), and every new client secret the tenant answered. A new secret may be found only
// where it was delivered: its value_file, or standard output with --print-secrets. Nothing
// may look like a JWT.
func TestSecretsNeverLeak(t *testing.T) {
	examples, err := filepath.Abs("../../../examples")
	if err != nil {
		t.Fatal(err)
	}
	t.Chdir(t.TempDir()) // Main changes directory; restore it after the test
	work, _ := os.Getwd()
	outside := t.TempDir() // the tenant's state, cloud files and certificates: not exoform's outputs
	h := newLeakHarness(t, work)

	// One simulated tenant, served four times over the same state: without faults, with
	// transient faults, with a read that always fails and with writes whose answer is lost.
	// Each is reached through a proxy that records the tokens and secrets crossing it.
	state := filepath.Join(outside, "tenant.json")
	startSim := func(faults string) *sim.Server {
		srv, err := sim.Start(t.Context(), sim.Options{StatePath: state, Faults: faults, Seed: 8})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { srv.Close() })
		return srv
	}
	clean := startSim("")
	admin := clean.Cloud()
	cleanCloud := h.proxy(admin, filepath.Join(outside, "clean.cloud.json"))
	flakyCloud := h.proxy(startSim("429:10%,503:10%,500:5%,reset:5%,truncate:5%,html:5%").Cloud(), filepath.Join(outside, "flaky.cloud.json"))
	brokenCloud := h.proxy(startSim("500:100%:Get-InboundConnector").Cloud(), filepath.Join(outside, "broken.cloud.json"))
	lossyCloud := h.proxy(startSim("lost:100%:New-InboundConnector").Cloud(), filepath.Join(outside, "lossy.cloud.json"))

	h.plant("the client secret exoform signs in with", admin.ClientSecret)
	h.plant("a wrong client secret", plantedWrongSecret)
	h.plant("the certificate's password", plantedCertPassword)
	h.plant("a wrong certificate password", plantedBadPassword)
	p12Path, pemPath := h.certificates(outside)

	ews := filepath.Join(work, "ews")
	copyLeakFile(t, filepath.Join(examples, "ews-app-registration", "main.exo.hcl"), filepath.Join(ews, "main.exo.hcl"))
	writeLeakFile(t, filepath.Join(ews, "sensitive.exo.hcl"), sensitiveOutput)
	h.plant("a sensitive variable", plantedSensitiveVar)
	signedIn := map[string]string{"NO_COLOR": "1", "AZURE_CLIENT_ID": admin.ClientID, "AZURE_CLIENT_SECRET": admin.ClientSecret,
		"EXOFORM_VAR_relay_token": plantedSensitiveVar}
	trace := envWith(signedIn, "EXOFORM_LOG", "trace")
	debug := envWith(signedIn, "EXOFORM_LOG", "debug")

	// Offline commands.
	h.run("init", work, envWith(nil, "EXOFORM_LOG", "trace"), 0, "init", "started", "--tenant", "contoso.onmicrosoft.com")
	h.run("validate", ews, trace, 0, "validate")

	// Plan, save, show and apply a plan that creates a client secret.
	_, errOut := h.run("plan", ews, trace, 0, "plan", "--cloud", cleanCloud, "--out", "ews.plan", "--out-script", "ews.ps1")
	h.expect("plan's trace", errOut, "] http 1: GET ", "> Authorization: [redacted]", "client_secret=[redacted]", `"access_token":"[redacted]"`,
		"] azure Authentication: ClientSecretCredential.GetToken() acquired a token")
	for _, f := range []string{"json", "markdown", "powershell"} {
		h.run("plan --format "+f, ews, debug, 0, "plan", "--cloud", cleanCloud, "--format", f)
	}
	for _, f := range []string{"text", "json", "markdown", "powershell"} {
		h.run("show --format "+f, ews, trace, 0, "show", "--format", f, "ews.plan")
	}
	out, errOut := h.run("apply", ews, trace, 0, "apply", "--cloud", cleanCloud, "ews.plan")
	h.expect("apply's output", out, "wrote the value of the new client secret", "Apply complete", "relay_token = (sensitive)")
	h.expect("apply's trace", errOut, "/addPassword", `"secretText":"[redacted]"`)
	h.delivered(filepath.Join(ews, "pms-secret.txt"))

	// A second secret and a connector, applied without a saved plan; then nothing is left to do.
	writeLeakFile(t, filepath.Join(ews, "more.exo.hcl"), moreSecrets)
	h.run("apply --auto-approve", ews, debug, 0, "apply", "--cloud", cleanCloud, "--auto-approve")
	h.delivered(filepath.Join(ews, "ci-secret.txt"))
	h.run("plan again", ews, trace, 0, "plan", "--cloud", cleanCloud, "--detailed-exitcode", "--format", "json", "--out", "again.plan", "--out-script", "again.ps1")
	h.run("show again", ews, debug, 0, "show", "--format", "markdown", "again.plan")
	h.run("export", ews, trace, 0, "export", "--cloud", cleanCloud, "--tenant", "contoso.onmicrosoft.com", "--out", "exported", "--stats")

	// Sign-ins that fail: a wrong secret, certificates the tenant refuses (it takes no client
	// assertions), a certificate that needs a password, and a wrong password.
	noSecret := envWith(trace, "AZURE_CLIENT_SECRET", "")
	_, errOut = h.run("wrong secret", ews, envWith(trace, "AZURE_CLIENT_SECRET", plantedWrongSecret), 1, "plan", "--cloud", cleanCloud)
	h.expect("a wrong secret's error", errOut, "AADSTS7000215")
	_, errOut = h.run("PEM certificate", ews, envWith(noSecret, "AZURE_CLIENT_CERTIFICATE_PATH", pemPath), 1, "plan", "--cloud", cleanCloud)
	h.expect("a certificate sign-in's trace", errOut, "client_assertion=[redacted]", "cannot sign in")
	_, errOut = h.run("PKCS#12 certificate", ews, envWith(noSecret, "AZURE_CLIENT_CERTIFICATE_PATH", p12Path, "AZURE_CLIENT_CERTIFICATE_PASSWORD", plantedCertPassword), 1, "plan", "--cloud", cleanCloud)
	h.expect("a PKCS#12 sign-in's trace", errOut, "client_assertion=[redacted]", "cannot sign in")
	_, errOut = h.run("wrong certificate password", ews, envWith(noSecret, "AZURE_CLIENT_CERTIFICATE_PATH", p12Path, "AZURE_CLIENT_CERTIFICATE_PASSWORD", plantedBadPassword), 1, "plan", "--cloud", cleanCloud)
	h.expect("a wrong password's error", errOut, "no usable certificate")
	h.run("PEM with a password", ews, envWith(noSecret, "AZURE_CLIENT_CERTIFICATE_PATH", pemPath, "AZURE_CLIENT_CERTIFICATE_PASSWORD", plantedCertPassword), 1, "plan", "--cloud", cleanCloud)
	// A federated token (GitHub Actions' OIDC token, say) is a credential too.
	tokenFile := filepath.Join(outside, "federated-token")
	writeLeakFile(t, tokenFile, plantedFederatedToken)
	h.plant("the federated token", plantedFederatedToken)
	_, errOut = h.run("workload identity", ews, envWith(noSecret, "AZURE_FEDERATED_TOKEN_FILE", tokenFile), 1, "plan", "--cloud", cleanCloud)
	h.expect("a workload identity sign-in's trace", errOut, "client_assertion=[redacted]", "cannot sign in")

	// Faults: transient ones (whatever the outcome), a read that fails, writes whose answer is lost.
	writeLeakFile(t, filepath.Join(ews, "faults.exo.hcl"), faultConnector("Flaky relay"))
	h.run("plan under faults", ews, trace, -1, "plan", "--cloud", flakyCloud)
	h.run("apply under faults", ews, debug, -1, "apply", "--cloud", flakyCloud, "--auto-approve")
	_, errOut = h.run("failing read", ews, trace, 1, "plan", "--cloud", brokenCloud)
	h.expect("a failed read's error", errOut, "Get-InboundConnector")
	writeLeakFile(t, filepath.Join(ews, "faults.exo.hcl"), faultConnector("Lossy relay"))
	_, errOut = h.run("lost write", ews, trace, 1, "apply", "--cloud", lossyCloud, "--auto-approve")
	h.expect("a lost write's error", errOut, "Apply stopped: New-InboundConnector failed")

	// The embedded simulated tenant, signing in with its own app, with faults; a new secret
	// without value_file goes to standard output, once, with --print-secrets.
	printed := filepath.Join(work, "printed")
	writeLeakFile(t, filepath.Join(printed, "main.exo.hcl"), printedSecret)
	embedded := "--sim=" + filepath.Join(outside, "embedded.json")
	simEnv := map[string]string{"NO_COLOR": "1", "EXOFORM_LOG": "trace"}
	h.run("embedded plan", printed, envWith(simEnv, "EXOFORM_SIM_FAULTS", "429:10%,500:10%", "EXOFORM_SIM_SEED", "3"), -1, "plan", embedded)
	h.run("apply without --print-secrets", printed, simEnv, 1, "apply", embedded, "--auto-approve")
	out, _ = h.run("apply --print-secrets", printed, simEnv, 0, "apply", embedded, "--auto-approve", "--print-secrets")
	h.printed("apply --print-secrets: stdout", out)
	// A run without EXOFORM_LOG logs nothing, here or to an earlier run's streams.
	_, errOut = h.run("plan without a log", ews, signedIn, 0, "plan", "--cloud", cleanCloud)
	if strings.Contains(errOut, "[debug]") {
		t.Errorf("plan without EXOFORM_LOG logged:\n%s", leakTail(errOut, 2000))
	}
	h.plantState(filepath.Join(outside, "embedded.json"))
	h.plantState(state)

	// Everything exoform wrote in the working directories is an output too.
	h.files(work)
	h.check()
}

// sensitiveOutput passes a sensitive variable (from the environment) to a sensitive output,
// which plans, scripts and apply show as hidden.
const sensitiveOutput = `
variable "relay_token" {
  type      = string
  sensitive = true
}

output "relay_token" {
  value     = var.relay_token
  sensitive = true
}
`

const moreSecrets = `
resource "entra_application_password" "ci" {
  application  = entra_application.pms.app_id
  display_name = "ci"
  lifetime     = "2160h"
  value_file   = "ci-secret.txt"
}

resource "exchange_inbound_connector" "vendor" {
  name           = "Vendor relay"
  sender_domains = ["vendor.example.com"]
}
`

func faultConnector(name string) string {
	return fmt.Sprintf(`
resource "exchange_inbound_connector" "faults" {
  name           = %q
  sender_domains = ["faults.example.com"]
}
`, name)
}

const printedSecret = `
exoform {
  workspace = "printed"
}

tenant {
  id = "contoso.onmicrosoft.com"
}

resource "entra_application" "tool" {
  display_name     = "Printed secret tool"
  sign_in_audience = "AzureADMyOrg"
}

resource "entra_application_password" "tool" {
  application  = entra_application.tool.app_id
  display_name = "printed"
  lifetime     = "720h"
}
`

// leakHarness runs exoform and keeps every output and every secret to search them for.
type leakHarness struct {
	t    *testing.T
	base string // outputs that are files are named relative to it
	mu   sync.Mutex
	// secrets maps each secret value to what it is.
	secrets map[string]string
	// counts counts the recorded values by what they are, to show the recording worked.
	counts map[string]int
	// outputs maps each output (a run's stdout or stderr, a file) to its content.
	outputs map[string]string
	// allowed names, per output, the secrets delivered there on purpose.
	allowed map[string]map[string]bool
	// streams keeps each run's stdout and stderr, which nothing may write to once the run is
	// over (azcore's global log listener, left behind, would).
	streams map[string]*leakBuffer
}

func newLeakHarness(t *testing.T, base string) *leakHarness {
	return &leakHarness{t: t, base: base, secrets: map[string]string{}, counts: map[string]int{}, outputs: map[string]string{}, allowed: map[string]map[string]bool{}, streams: map[string]*leakBuffer{}}
}

// minPlanted is the shortest value searched for: shorter ones would match ordinary text.
const minPlanted = 8

func (h *leakHarness) plant(what, v string) {
	if len(strings.TrimSpace(v)) < minPlanted {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.counts[what]++
	if _, ok := h.secrets[v]; !ok {
		h.secrets[v] = what // a value seen twice (a token issued, then sent) keeps its first name
	}
}

func (h *leakHarness) output(name, text string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.outputs[name] = text
}

func (h *leakHarness) allow(output, v string) {
	if h.allowed[output] == nil {
		h.allowed[output] = map[string]bool{}
	}
	h.allowed[output][v] = true
}

// run runs exoform in dir and keeps its output; wantCode -1 accepts any exit code.
func (h *leakHarness) run(name, dir string, env map[string]string, wantCode int, args ...string) (stdout, stderr string) {
	h.t.Helper()
	var out, errOut leakBuffer
	io := cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(k string) string { return env[k] }}
	code := cli.Main(append([]string{"--chdir", dir}, args...), io)
	stdout, stderr = out.String(), errOut.String()
	h.output(name+": stdout", stdout)
	h.output(name+": stderr", stderr)
	h.streams[name+": stdout"], h.streams[name+": stderr"] = &out, &errOut
	if wantCode >= 0 && code != wantCode {
		h.t.Fatalf("%s: exoform %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), code, wantCode, stdout, leakTail(stderr, 4000))
	}
	return stdout, stderr
}

// expect checks that an output holds each text: that the trace being searched was written.
func (h *leakHarness) expect(what, text string, wants ...string) {
	h.t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			h.t.Errorf("%s lacks %q:\n%s", what, w, leakTail(text, 4000))
		}
	}
}

// delivered plants the secret in a value_file, which is its one allowed destination.
func (h *leakHarness) delivered(path string) {
	h.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatalf("the secret was not delivered: %v", err)
	}
	v := strings.TrimSpace(string(b))
	h.mu.Lock()
	recorded := h.secrets[v] != ""
	h.mu.Unlock()
	if !recorded {
		h.t.Errorf("%s holds a value the tenant never answered", filepath.Base(path))
	}
	h.plant("a new client secret", v)
	h.allow("file: "+h.rel(path), v)
}

// printed plants the secret that --print-secrets showed, allowed in that output only.
func (h *leakHarness) printed(output, stdout string) {
	h.t.Helper()
	_, after, ok := strings.Cut(stdout, "shown this once:\n")
	v, _, _ := strings.Cut(after, "\n")
	if !ok || len(v) < minPlanted {
		h.t.Fatalf("no secret shown:\n%s", stdout)
	}
	if n := strings.Count(stdout, v); n != 1 {
		h.t.Errorf("the printed secret is shown %d times", n)
	}
	h.plant("a printed client secret", v)
	h.allow(output, v)
}

// plantState plants a simulated tenant's own secrets: its app's secret and token signing key.
func (h *leakHarness) plantState(path string) {
	h.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		h.t.Fatal(err)
	}
	var st struct {
		AdminApp struct {
			ClientSecret string `json:"client_secret"`
		} `json:"admin_app"`
		TokenSigningKey string `json:"token_signing_key"`
	}
	if err := json.Unmarshal(b, &st); err != nil {
		h.t.Fatal(err)
	}
	h.plant("a simulated tenant's app secret", st.AdminApp.ClientSecret)
	h.plant("a simulated tenant's token signing key", st.TokenSigningKey)
}

// certificates writes the planted certificate as a PKCS#12 file and as PEM, and plants its key.
func (h *leakHarness) certificates(dir string) (p12Path, pemPath string) {
	h.t.Helper()
	p12, err := base64.StdEncoding.DecodeString(plantedP12)
	if err != nil {
		h.t.Fatal(err)
	}
	certs, key, err := azidentity.ParseCertificates(p12, []byte(plantedCertPassword))
	if err != nil {
		h.t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		h.t.Fatal(err)
	}
	h.plant("the certificate's private key", base64.StdEncoding.EncodeToString(der))
	h.plant("the PKCS#12 file", plantedP12)
	p12Path, pemPath = filepath.Join(dir, "app.p12"), filepath.Join(dir, "app.pem")
	writeLeakFile(h.t, p12Path, string(p12))
	writeLeakFile(h.t, pemPath, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[0].Raw}))+
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})))
	return p12Path, pemPath
}

// proxy serves the simulated tenant through a recording proxy and writes a cloud file for it.
// The proxy passes requests and answers through unchanged (a reset stays a reset), and plants
// the bearer tokens, client secrets and assertions sent, and the tokens and new secrets
// answered.
func (h *leakHarness) proxy(up sim.Cloud, cloudFile string) string {
	h.t.Helper()
	hc, err := up.HTTPClient()
	if err != nil {
		h.t.Fatal(err)
	}
	target, err := url.Parse(up.ExchangeURL)
	if err != nil {
		h.t.Fatal(err)
	}
	px := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		h.recordRequest(r, body)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, "https://"+target.Host+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		out.Header = r.Header.Clone()
		out.Host = r.Host // the tenant writes links and issuers with the host it was called at
		resp, err := hc.Transport.RoundTrip(out)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer resp.Body.Close()
		answer, readErr := io.ReadAll(resp.Body)
		h.recordAnswer(resp.Header, answer)
		for k, vs := range resp.Header {
			if k != "Connection" && k != "Transfer-Encoding" {
				w.Header()[k] = vs
			}
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(answer)
		if readErr != nil {
			panic(http.ErrAbortHandler) // the tenant cut the answer short: so does the proxy
		}
	}))
	px.Config.ErrorLog = log.New(io.Discard, "", 0) // an aborted answer is the point, not news
	px.StartTLS()
	h.t.Cleanup(px.Close)
	c := azure.Cloud{
		Name: "proxied sim", AuthorityHost: px.URL + "/", ExchangeURL: px.URL, ExchangeScope: up.ExchangeScope,
		GraphURL: px.URL + "/graph", GraphScope: up.GraphScope, TenantID: up.TenantID, TenantDomain: up.TenantDomain,
		CACertPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: px.Certificate().Raw})),
	}
	b, err := json.Marshal(c)
	if err != nil {
		h.t.Fatal(err)
	}
	writeLeakFile(h.t, cloudFile, string(b))
	return cloudFile
}

func (h *leakHarness) recordRequest(r *http.Request, body []byte) {
	if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		h.plant("a bearer token exoform sent", tok)
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		form, _ := url.ParseQuery(string(body))
		for _, k := range []string{"client_secret", "client_assertion"} {
			for _, v := range form[k] {
				h.plant("the "+k+" exoform sent", v)
			}
		}
	}
}

// answerSecrets are the answer fields that hold secrets: tokens and new client secrets.
var answerSecrets = map[string]string{
	"access_token":  "an access token the tenant issued",
	"refresh_token": "a refresh token the tenant issued",
	"id_token":      "an id token the tenant issued",
	"secretText":    "a new client secret the tenant answered",
}

func (h *leakHarness) recordAnswer(header http.Header, body []byte) {
	if strings.EqualFold(header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return
		}
		if body, err = io.ReadAll(zr); err != nil {
			return
		}
	}
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && answerSecrets[k] != "" {
					h.plant(answerSecrets[k], s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
}

// files adds every file under dir as an output.
func (h *leakHarness) files(dir string) {
	h.t.Helper()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		h.output("file: "+h.rel(path), string(b))
		return nil
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

func (h *leakHarness) rel(path string) string {
	if r, err := filepath.Rel(h.base, path); err == nil {
		return r
	}
	return path
}

// check fails the test for every output that holds a secret it may not hold.
func (h *leakHarness) check() {
	h.t.Helper()
	for _, what := range []string{
		"a bearer token exoform sent", "an access token the tenant issued", "the client_secret exoform sent",
		"the client_assertion exoform sent", "a new client secret the tenant answered", "a new client secret",
		"a printed client secret", "the certificate's private key",
	} {
		if h.counts[what] == 0 {
			h.t.Errorf("nothing recorded as %s: the search would prove nothing", what)
		}
	}
	// What reached a run's streams after it returned is searched too. azidentity's events
	// must not be among it: a session leaves azcore's global log listener behind otherwise.
	for name, b := range h.streams {
		if later := strings.TrimPrefix(b.String(), h.outputs[name]); later != "" {
			h.output(name+" (after the command returned)", later)
			if strings.Contains(later, "] azure ") {
				h.t.Errorf("%s received azidentity's log after the command returned: %q", name, leakTail(later, 500))
			}
		}
	}
	leaks := findLeaks(h.outputs, h.secrets, h.allowed)
	for _, l := range leaks {
		h.t.Error(l)
	}
	if len(leaks) == 0 {
		h.t.Logf("searched %d outputs for %d secrets: none found", len(h.outputs), len(h.secrets))
	}
}

// leakGram is the length of the pieces of a secret searched for: any 16 bytes of a secret in
// an output is a leak, whether the whole secret is there or a truncated or wrapped part.
const leakGram = 16

// jwtShaped is anything that looks like a JWT or base64-encoded JSON ({" is eyJ).
var jwtShaped = regexp.MustCompile(`eyJ[A-Za-z0-9_\-]{8,}(\.[A-Za-z0-9_\-]*)*`)

// findLeaks returns, sorted, one message per output and secret found in it (and per JWT-shaped
// string), with the secret itself left out of the message.
func findLeaks(outputs, secrets map[string]string, allowed map[string]map[string]bool) []string {
	grams := map[string]string{} // a piece of a secret -> the secret
	var short []string
	for v := range secrets {
		if len(v) < leakGram {
			short = append(short, v)
			continue
		}
		for i := 0; i+leakGram <= len(v); i++ {
			grams[v[i:i+leakGram]] = v
		}
	}
	var leaks []string
	// report names the output, the secret and its place, with the text around the whole match
	// (not just the piece that was found), so that the message repeats no part of the secret.
	report := func(name, what, text string, at, n int, v string) {
		if j := strings.Index(v, text[at:at+n]); j >= 0 {
			for j > 0 && at > 0 && text[at-1] == v[j-1] {
				at, j, n = at-1, j-1, n+1
			}
			for j+n < len(v) && at+n < len(text) && text[at+n] == v[j+n] {
				n++
			}
		}
		leaks = append(leaks, fmt.Sprintf("%s holds %s at byte %d: …%q«secret»%q…", name, what, at,
			maskPieces(text[max(0, at-24):at], v), maskPieces(text[min(len(text), at+n):min(len(text), at+n+24)], v)))
	}
	for name, text := range outputs {
		found := map[string]bool{}
		for i := 0; i+leakGram <= len(text); i++ {
			if v, ok := grams[text[i:i+leakGram]]; ok && !found[v] && !allowed[name][v] {
				found[v] = true
				report(name, secrets[v], text, i, leakGram, v)
			}
		}
		for _, v := range short {
			if i := strings.Index(text, v); i >= 0 && !allowed[name][v] {
				report(name, secrets[v], text, i, len(v), v)
			}
		}
		if loc := jwtShaped.FindStringIndex(text); loc != nil {
			report(name, "a JWT-shaped string", text, loc[0], loc[1]-loc[0], text[loc[0]:loc[1]])
		}
	}
	sort.Strings(leaks)
	return leaks
}

// maskPieces replaces with * every run of four or more bytes of s that is also in secret, so
// that a report's context repeats no piece of the secret (of a wrapped one, say).
func maskPieces(s, secret string) string {
	const piece = 4
	b := []byte(s)
	for i := 0; i+piece <= len(s); i++ {
		if strings.Contains(secret, s[i:i+piece]) {
			for j := i; j < i+piece; j++ {
				b[j] = '*'
			}
		}
	}
	return string(b)
}

// TestFindLeaks: the search of TestSecretsNeverLeak finds whole, cut and wrapped secrets and
// JWTs, and allows a secret only where it was delivered.
func TestFindLeaks(t *testing.T) {
	const secret = "Abc~defGHI.jkl_mnoPQR-stu0123456789"
	secrets := map[string]string{secret: "the secret", "short-secret": "a short secret"}
	tests := []struct {
		name    string
		text    string
		allowed bool
		want    int
	}{
		{"absent", "nothing to see: Abc~def, hint Abc", false, 0},
		{"whole", "value=" + secret, false, 1},
		{"cut short", "value=" + secret[:20] + "…", false, 1},
		{"end only", "…" + secret[len(secret)-17:], false, 1},
		{"wrapped", secret[:18] + "\n" + secret[18:], false, 1},
		{"short secret", "pw short-secret.", false, 1},
		{"jwt", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x", false, 1},
		{"delivered here", secret + "\n", true, 0},
		{"redacted", "client_secret=[redacted]", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			allowed := map[string]map[string]bool{}
			if tt.allowed {
				allowed["out"] = map[string]bool{secret: true}
			}
			got := findLeaks(map[string]string{"out": tt.text}, secrets, allowed)
			if len(got) != tt.want {
				t.Errorf("found %d leaks, want %d: %q", len(got), tt.want, got)
			}
			for _, l := range got {
				if strings.Contains(l, secret[:8]) || strings.Contains(l, secret[len(secret)-8:]) {
					t.Errorf("the report repeats the secret: %s", l)
				}
			}
		})
	}
}

// leakBuffer is a bytes.Buffer safe for the concurrent writes of a command's goroutines.
type leakBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *leakBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *leakBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// envWith returns a copy of env with the given KEY, VALUE pairs set.
func envWith(env map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range env {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func writeLeakFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func copyLeakFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	writeLeakFile(t, to, string(b))
}

func leakTail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
