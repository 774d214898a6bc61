// Generates the certificates and keys of a test control plane (see main.go). Standard library
// only, so it has no go.sum.
module iter8ts/tools/kube-control-plane/pki

go 1.26.0
