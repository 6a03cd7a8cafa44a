package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/providers/internal/wire"
)

// readBackWaits are the pauses before each read-back of a lost addPassword: Graph may not list
// a credential at once after it was added (replication).
var readBackWaits = []time.Duration{0, 2 * time.Second, 4 * time.Second}

// recoverLostSecret handles an addPassword whose outcome is unknown: the request was sent but
// its answer, the only place the new secret's value ever appears, did not arrive. A secret that
// was made without its value reaching anyone would be found by the next plan and kept ("No
// changes"), with value_file never written. So it is looked for at once, by the display name
// and the end date the request set, and removed if it exists: the next apply then creates
// another, whose value it delivers. The error says which happened; it is no longer "outcome
// unknown" when the read-back settled it.
func (p *Provider) recoverLostSecret(ctx context.Context, op providers.Operation, sendErr error) error {
	var req struct {
		PasswordCredential struct {
			DisplayName string `json:"displayName"`
			EndDateTime string `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	appPath, ok := strings.CutSuffix(op.Path, "/addPassword")
	if err := json.Unmarshal(op.Body, &req); err != nil || !ok {
		return sendErr
	}
	name := req.PasswordCredential.DisplayName
	end, err := time.Parse(time.RFC3339, req.PasswordCredential.EndDateTime)
	if name == "" || err != nil {
		return sendErr
	}
	unknown := fmt.Errorf("%w\nCheck the application's client secrets: a secret %q ending %s, if it exists, has a value no one received. Delete it and apply again", sendErr, name, end.Format(time.RFC3339))
	var keyID string
	for _, wait := range readBackWaits {
		if err := wire.SleepCtx(ctx, wait); err != nil {
			return unknown
		}
		var app struct {
			PasswordCredentials []struct {
				KeyID       string  `json:"keyId"`
				DisplayName *string `json:"displayName"`
				EndDateTime string  `json:"endDateTime"`
			} `json:"passwordCredentials"`
		}
		if err := p.client.Do(ctx, "GET", appPath+"?$select=passwordCredentials", nil, &app); err != nil {
			return unknown
		}
		for _, pc := range app.PasswordCredentials {
			t, err := time.Parse(time.RFC3339, pc.EndDateTime)
			if err == nil && t.Equal(end) && pc.DisplayName != nil && strings.EqualFold(*pc.DisplayName, name) && pc.KeyID != "" {
				keyID = pc.KeyID
			}
		}
		if keyID != "" {
			break
		}
	}
	if keyID == "" {
		return fmt.Errorf("%v\nThe secret was not created: the application lists no secret %q ending %s. Apply again to create it", sendErr, name, end.Format(time.RFC3339))
	}
	body, _ := json.Marshal(struct {
		KeyID string `json:"keyId"`
	}{keyID})
	if err := p.client.Do(ctx, "POST", appPath+"/removePassword", json.RawMessage(body), nil); err != nil {
		return fmt.Errorf("%w\nThe secret %q (keyId %s) was created, but its value was lost with the answer, and removing it failed (%v). Delete it and apply again", sendErr, name, keyID, err)
	}
	return fmt.Errorf("the new client secret %q was created, but the answer that held its value was lost (%v), and Microsoft shows a secret's value only once. exoform removed that secret (keyId %s), so that no secret holds a value no one has; apply again to create another", name, sendErr, keyID)
}
