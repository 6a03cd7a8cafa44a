package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/spf13/cobra"

	"github.com/exoform/exoform/providers/azure"
	"github.com/exoform/exoform/sim"
)

func (a *app) simGraphCmd() *cobra.Command {
	var state string
	cmd := &cobra.Command{
		Use:   "graph METHOD PATH [BODY]",
		Short: "Send one Microsoft Graph request to the simulated tenant",
		Long: `graph sends one Graph v1.0 request to the simulated tenant through the same wire protocol
and token flow exoform uses, as an administrator would in Graph Explorer, and prints the
JSON response. PATH is relative to /v1.0. For example:

  exoform sim graph GET '/servicePrincipals?$filter=displayName eq '"'"'Microsoft Graph'"'"''
  exoform sim graph PATCH /policies/identitySecurityDefaultsEnforcementPolicy '{"isEnabled":false}'`,
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			var body []byte
			if len(args) == 3 {
				if !json.Valid([]byte(args[2])) {
					return fmt.Errorf("BODY is not JSON. Give a JSON object such as '{\"isEnabled\":false}'")
				}
				body = []byte(args[2])
			}
			status, out, err := a.simGraph(cmd.Context(), state, strings.ToUpper(args[0]), args[1], body)
			if err != nil {
				return err
			}
			if len(bytes.TrimSpace(out)) > 0 {
				var pretty bytes.Buffer
				if json.Indent(&pretty, out, "", "  ") == nil {
					out = append(pretty.Bytes(), '\n')
				}
				a.io.Out.Write(out)
			}
			if status >= 400 {
				return exitCodeError{exitError}
			}
			return nil
		},
	}
	stateFlag(cmd, &state)
	return cmd
}

// simGraph starts the simulated tenant in-process and sends one Graph request to it.
func (a *app) simGraph(ctx context.Context, state, method, path string, body []byte) (int, []byte, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	abs, err := filepath.Abs(state)
	if err != nil {
		return 0, nil, err
	}
	srv, err := sim.Start(ctx, sim.Options{StatePath: abs})
	if err != nil {
		return 0, nil, err
	}
	defer srv.Close()
	cloud, err := cloudOfSim(srv.Cloud())
	if err != nil {
		return 0, nil, err
	}
	hc, err := cloud.HTTPClient()
	if err != nil {
		return 0, nil, err
	}
	cred, _, err := azure.NewCredential(azure.CredentialOptions{Cloud: cloud, TenantID: cloud.TenantID, HTTPClient: hc,
		Getenv: func(string) string { return "" }})
	if err != nil {
		return 0, nil, err
	}
	tok, err := cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{cloud.GraphScope}})
	if err != nil {
		return 0, nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(cloud.GraphURL, "/")+"/v1.0"+path, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: reading the response: %w", method, path, err)
	}
	if resp.StatusCode >= 400 {
		fmt.Fprintf(a.io.Err, "%s %s: %s\n", method, path, resp.Status)
	}
	return resp.StatusCode, out, nil
}
