// Package docgen builds the reference of every resource type and data source from the
// registry (Build): each type's attributes as its schema declares them, its ownership rules, the
// cmdlets and Graph requests it sends (providers.APIDescriber), and an example taken from the
// project's examples. The Markdown pages under docs/, `exoform schema --format json` and its
// text form are renderings of that one model (Reference), so they cannot disagree with each
// other or with what validate enforces.
//
// It never contacts a tenant, reads only the registry and the embedded example files, and never
// writes anything itself: its callers decide where the renderings go.
package docgen
