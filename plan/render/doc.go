// Package render shows plans and apply results to people and machines: text for terminals,
// JSON with a format_version for programs, Markdown for pull-request comments. One presentation
// model (Model) feeds every format, so they cannot disagree.
//
// It must never compute anything the plan does not hold, and never show a sensitive value.
package render
