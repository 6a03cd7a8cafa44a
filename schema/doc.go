// Package schema is exoform's language: the descriptors that resource types are declared with,
// loading of *.exo.hcl files, and their evaluation into typed resource instances.
//
// It knows nothing of any provider or API: resource types are handed to it as descriptors. It
// must never touch the network, the clock or the environment except through what its callers
// pass in, and it must never print.
package schema
