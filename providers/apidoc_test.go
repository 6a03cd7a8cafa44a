package providers_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/exoform/exoform/providers"
	"github.com/exoform/exoform/schema"
)

func TestCall_Matches(t *testing.T) {
	graph := func(method, path string) providers.Operation {
		return providers.Operation{Service: providers.Graph, Method: method, Path: path}
	}
	const id = "0f7c2a55-3b1e-4c8e-9a6d-2e5b8c1d4f70"
	ph := schema.Placeholder("entra_application.pms", "id")
	cmdlet := func(name string) providers.Operation {
		return providers.Operation{Service: providers.Exchange, Cmdlet: name}
	}
	tests := []struct {
		call string
		op   providers.Operation
		want bool
	}{
		{"Get-InboundConnector", cmdlet("Get-InboundConnector"), true},
		{"Get-InboundConnector", cmdlet("get-inboundconnector"), true},
		{"Get-InboundConnector", cmdlet("Get-InboundConnectors"), false},
		// Another service never matches.
		{"Get-InboundConnector", graph("Get-InboundConnector", "/"), false},
		{"GET /applications", cmdlet("GET /applications"), false},
		{"GET /applications", graph("GET", "/applications?$select=id,appId"), true},
		{"GET /applications", graph("get", "/applications"), true},
		{"GET /applications", graph("POST", "/applications"), false},
		{"GET /applications", graph("GET", "/applications/"+id), false},
		{"PATCH /applications/{id}", graph("PATCH", "/applications/"+id), true},
		{"PATCH /applications/{id}", graph("PATCH", "/applications/"+ph), true},
		{"PATCH /applications/{id}", graph("PATCH", "/applications/"+id+"/owners"), false},
		{"PATCH /applications/{id}", graph("PATCH", "/applications/"), false},
		{"DELETE /applications/{id}/owners/{id}/$ref", graph("DELETE", "/applications/"+id+"/owners/"+id+"/$ref"), true},
		{"DELETE /applications/{id}/owners/{id}/$ref", graph("DELETE", "/applications/"+id+"/owners/"+id), false},
		{"POST /applications(appId='{appId}')/addPassword", graph("POST", "/applications(appId='"+id+"')/addPassword"), true},
		{"POST /applications(appId='{appId}')/addPassword", graph("POST", "/applications(appId='"+schema.Placeholder("entra_application.pms", "app_id")+"')/addPassword"), true},
		{"POST /applications(appId='{appId}')/addPassword", graph("POST", "/applications/"+id+"/addPassword"), false},
		{"GET /users/{id}", graph("GET", "/users/alex%40contoso.com?$select=id"), true},
		// A template's regular-expression characters are literal.
		{"GET /applications(appId='{appId}')", graph("GET", "/applicationsXappId='x')"), false},
	}
	for _, tc := range tests {
		c := providers.Call{Service: providers.Graph, Name: tc.call}
		if !strings.Contains(tc.call, " ") {
			c.Service = providers.Exchange
		}
		if got := c.Matches(tc.op); got != tc.want {
			t.Errorf("Call{%s}.Matches(%s %s) = %t, want %t", tc.call, tc.op.Service, tc.op, got, tc.want)
		}
	}
}

func TestCheckCalls(t *testing.T) {
	get := providers.Operation{Service: providers.Exchange, Cmdlet: "Get-TransportRule"}
	set := providers.Operation{Service: providers.Exchange, Cmdlet: "Set-TransportRule"}
	documented := []providers.Call{
		{Service: providers.Exchange, Name: "Get-TransportRule", Purposes: []providers.Purpose{providers.PurposeRead, providers.PurposeGuard}},
		{Service: providers.Exchange, Name: "Set-TransportRule", Purposes: []providers.Purpose{providers.PurposeUpdate}},
	}
	tests := map[string]struct {
		seen map[providers.Purpose][]providers.Operation
		want []string
	}{
		"all seen": {
			seen: map[providers.Purpose][]providers.Operation{
				providers.PurposeRead: {get, get}, providers.PurposeGuard: {get}, providers.PurposeUpdate: {set}},
		},
		"a purpose never seen, an operation under the wrong purpose": {
			seen: map[providers.Purpose][]providers.Operation{
				providers.PurposeRead: {get}, providers.PurposeUpdate: {set}, providers.PurposeCreate: {set}},
			want: []string{
				"documents Get-TransportRule (guard), which it was never seen to send",
				"sends Set-TransportRule (create), which no call documents",
			},
		},
		"nothing seen": {
			want: []string{
				"documents Get-TransportRule (guard), which it was never seen to send",
				"documents Get-TransportRule (read), which it was never seen to send",
				"documents Set-TransportRule (update), which it was never seen to send",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, providers.CheckCalls(documented, tc.seen)); diff != "" {
				t.Errorf("CheckCalls mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
