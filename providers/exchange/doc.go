// Package exchange is the Exchange Online provider: the InvokeCommand client (the REST
// transport behind the ExchangeOnlineManagement module) and the resource types managed through
// Exchange cmdlets.
//
// Every cmdlet and parameter it sends must exist in Microsoft's cmdlet reference and apply to
// Exchange Online. It must never import plan or sim, never read one object per declared
// resource while planning (reads are bulk), and never log request or response bodies.
//
// Every type is a providers.Guarder (guard.go): the guard a generated script runs before a change
// reads the one object with the Get- cmdlet the type's own reads use, and compares only the
// properties that hold an attribute exactly as that read reports them; the rest it lists as
// unchecked.
package exchange
