// Package export turns a live tenant into a configuration: it reads the objects of the types
// in scope, in bulk, and writes one resource block per object, formatted by hclwrite, named
// after the object's key, with the values exoform's own reader reports, so that planning the
// written configuration against the same tenant changes nothing but ownership (adoptions).
//
// It must never write: not to the tenant (it only reads through the providers), and not a
// secret (client secrets cannot be read, and the types that hold them are never exported). It
// never leaves out part of a type it was asked for: a failed read fails the export.
package export
