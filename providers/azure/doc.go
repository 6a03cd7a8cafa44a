// Package azure knows the endpoints of each Microsoft cloud (public, US Government, China, or a
// simulated tenant) and builds the azcore.TokenCredential that exoform's Graph and Exchange
// clients authenticate with.
//
// Credentials are always constructed explicitly (client secret, client certificate, workload
// identity, Azure CLI, or DefaultAzureCredential) against the cloud's authority host, so that
// ambient settings cannot silently send token requests elsewhere.
//
// A failed sign-in is a SignInError: the credential tried, the first line of Entra's (or
// azidentity's) cause and what to check, such as the tenant for AADSTS90002 or the secret's
// Value for AADSTS7000215, or the ways to sign in when no credential was found. It never
// carries azidentity's multi-page text.
//
// Secrets handled here (client secrets, certificate passwords, federated tokens) must never be
// written to logs, error messages, descriptions or String output: errors name the environment
// variable or file involved, never its secret content.
package azure
