// Package render shows plans and apply results to people and machines: text for terminals,
// JSON with a format_version for programs, Markdown for pull-request comments. One presentation
// model (Model) feeds every format, so they cannot disagree.
//
// It must never compute anything the plan does not hold, never show a sensitive value, and
// never let a value from the tenant or the configuration format a Markdown comment, inject HTML
// into it or mention anyone (markdown.go says how). The Markdown view must stay within GitHub's
// size limit for a comment, whatever the plan.
package render
