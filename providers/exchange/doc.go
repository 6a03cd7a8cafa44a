// Package exchange is the Exchange Online provider: the InvokeCommand client (the REST
// transport behind the ExchangeOnlineManagement module) and the resource types managed through
// Exchange cmdlets.
//
// Every cmdlet and parameter it sends must exist in Microsoft's cmdlet reference and apply to
// Exchange Online. It must never import plan or sim, never read one object per declared
// resource while planning, and never log request or response bodies.
//
// Reads at the limit the API allows: the client keeps up to 10 requests in flight (Microsoft
// publishes no per-tenant number; a lower real limit is absorbed by retrying its refusal).
// Bulk reads page through InvokeCommand, each page decoded and converted as it arrives; a
// recipient read of more than one page is split by -Filter on DisplayName initials into parts
// read concurrently (partition.go). Cmdlets that only take one object (Get-MailboxPermission,
// Get-RecipientPermission -Identity, Get-InboxRule -Mailbox) go ten to an Exchange $batch
// request (batch.go). An error in any part or item fails the whole read: a read error is never
// an absence.
//
// Every type is a providers.Guarder (guard.go): the guard a generated script runs before a change
// reads the one object with the Get- cmdlet the type's own reads use, and compares only the
// properties that hold an attribute exactly as that read reports them; the rest it lists as
// unchecked.
package exchange
