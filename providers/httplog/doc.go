// Package httplog traces HTTP requests for EXOFORM_LOG=debug, with every secret taken out.
//
// Transport wraps the one http.Client that the CLI hands to the Graph client, the Exchange
// client and azidentity's credential, so that every request to Graph, Exchange Online and the
// token endpoint is traced at one place: method, URL, the request and response headers, status,
// duration and request id, and (when Options.Bodies is set, EXOFORM_LOG=trace) the first bytes of
// each body.
//
// Everything a trace shows passes through a Redactor first:
//   - headers that carry credentials (Authorization, Proxy-Authorization, Cookie, Set-Cookie, and
//     any header whose name speaks of a token, secret, password, key or credential) show
//     "[redacted]" instead of their value;
//   - query parameters, form fields and JSON fields whose names do (client_secret,
//     client_assertion, assertion, access_token, refresh_token, id_token, Graph's secretText and
//     keyCredentials' key, Exchange parameters such as Password) show "[redacted]" instead of
//     their value, in truncated bodies too;
//   - anything that looks like a JWT (eyJ…), and every secret value the caller knows (the client
//     secret, the certificate password), is replaced wherever it appears;
//   - control characters are escaped, so a server cannot write terminal escapes into the log.
//
// The package never changes what is sent or received: a traced body is read as the client
// reads it, and the client sees the same bytes, errors and httptrace events as without the
// trace. It must not import the providers that use it.
package httplog
