// Package entra is the Microsoft Entra provider: the resource types managed through Microsoft
// Graph (entra_application, entra_application_password, entra_service_principal,
// entra_security_defaults, and the data source entra_service_principal) and the Graph v1.0 client (Client): authenticated
// JSON requests, paging through @odata.nextLink, JSON batching ($batch, at most 20 requests
// per call, and BatchList, which reads many collections through it and follows each one's
// nextLink), lenient parsing of Graph error bodies, retries on
// throttling and transient failures, and waiting out Entra's replication delay after a write.
//
// Planning reads are shared and batched: the applications, service principals and grants
// every type needs are listed once per plan (within a providers.ReadScope) with their first
// pages in one $batch, and the collections read per object (assignments, federated
// credentials, owners) go 20 to a $batch; no plan sends a request per object.
//
// What this package must never do:
//
//   - log or put into an error a request body, a 2xx response body, or a token: addPassword
//     answers with the secret's value (secretText), and request bodies may carry secrets. Log
//     lines hold the method, the path without its query, the status and the duration only;
//     error bodies (non-2xx) are parsed for code and message, and only a short sanitised prefix
//     of a non-JSON error body is kept;
//   - retry a non-idempotent write blindly: GET, PUT, PATCH and DELETE are treated as
//     idempotent; a POST is repeated only when the server refused it before acting (429, 503, a
//     connection that failed before the request was sent). A POST whose outcome is unknown
//     (connection reset after sending, 502/504, an unreadable 2xx) fails with an error matched by
//     IsOutcomeUnknown, so the caller reads the live state again before deciding;
//   - treat a failed read as absence: only an *Error for which IsNotFound is true means "does
//     not exist"; every other failure is an error the caller must surface. A 404 is retried as
//     replication delay only under WithRecentWrite, because for a plain read it is an answer;
//   - follow an @odata.nextLink or a redirect off the Graph endpoint: the access token is sent
//     only to the configured Graph host.
package entra
