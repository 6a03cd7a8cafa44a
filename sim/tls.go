package sim

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"time"
)

// certAuthority is the sim's own CA. It lives beside the state file and
// outlives any one server, so a client configured once to trust it (a cloud
// file, an exported PEM) keeps working across restarts; only the leaf is
// re-issued at each Start.
type certAuthority struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// caPaths returns where the CA certificate and key of a state file live.
func caPaths(statePath string) (certPath, keyPath string) {
	return statePath + ".ca.pem", statePath + ".ca-key.pem"
}

// loadOrCreateCA reads the CA beside statePath, creating it on first use.
// Callers hold the state file lock so that two processes starting at once
// cannot create two different CAs.
func loadOrCreateCA(statePath string) (*certAuthority, error) {
	certPath, keyPath := caPaths(statePath)
	certPEM, certErr := os.ReadFile(certPath)
	keyPEM, keyErr := os.ReadFile(keyPath)
	switch {
	case certErr == nil && keyErr == nil:
		return parseCA(certPEM, keyPEM)
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		return createCA(certPath, keyPath)
	case certErr != nil && !errors.Is(certErr, fs.ErrNotExist):
		return nil, fmt.Errorf("reading sim CA certificate: %w", certErr)
	case keyErr != nil && !errors.Is(keyErr, fs.ErrNotExist):
		return nil, fmt.Errorf("reading sim CA key: %w", keyErr)
	default:
		// One half missing: regenerating would silently break every client that
		// trusts the old CA, so make the user decide.
		return nil, fmt.Errorf("sim CA is incomplete: %s and %s must both exist; delete the remaining one to create a new CA", certPath, keyPath)
	}
}

func parseCA(certPEM, keyPEM []byte) (*certAuthority, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, errors.New("sim CA certificate file holds no PEM certificate")
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing sim CA certificate: %w", err)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil || kb.Type != "PRIVATE KEY" {
		return nil, errors.New("sim CA key file holds no PEM private key")
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parsing sim CA key: %w", err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, errors.New("sim CA key does not match its certificate")
	}
	return &certAuthority{cert: cert, key: key, certPEM: certPEM}, nil
}

func createCA(certPath, keyPath string) (*certAuthority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("generating sim CA key: %w", err)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "exoform simulated tenant local CA", Organization: []string{"exoform sim"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, fmt.Errorf("creating sim CA certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	// The key first: a crash between the two writes then leaves a key without
	// a certificate, which loadOrCreateCA reports instead of trusting.
	if err := writeFileAtomic(keyPath, keyPEM, 0o600); err != nil {
		return nil, fmt.Errorf("writing sim CA key: %w", err)
	}
	if err := writeFileAtomic(certPath, certPEM, 0o600); err != nil {
		return nil, fmt.Errorf("writing sim CA certificate: %w", err)
	}
	return &certAuthority{cert: cert, key: key, certPEM: certPEM}, nil
}

// issueLeaf makes a fresh server certificate for the loopback names plus any
// extra IP the server listens on. Leaves are never persisted: a new key per
// Start costs nothing and keeps the state directory free of server keys.
func (ca *certAuthority) issueLeaf(extra net.IP) (tls.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("generating sim server key: %w", err)
	}
	ips := []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
	if extra != nil && !extra.IsLoopback() && !extra.IsUnspecified() {
		ips = append(ips, extra)
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"exoform sim"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost"},
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("issuing sim server certificate: %w", err)
	}
	return tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key}, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		panic("sim: reading random bytes: " + err.Error())
	}
	return n.Add(n, big.NewInt(1))
}
