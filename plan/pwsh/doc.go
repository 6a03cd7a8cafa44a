// Package pwsh writes PowerShell: values as single-quoted literals, and operations as
// commands with named parameters. It is the only place that decides how a value is embedded in
// PowerShell text, so that no value, whatever it holds, can end a literal early and run as
// code.
//
// It must never build a command from text a value supplies, never use double-quoted strings
// or here-strings for data, and never write a value it cannot embed exactly (NUL, invalid
// UTF-8): those are refused with an error.
package pwsh
