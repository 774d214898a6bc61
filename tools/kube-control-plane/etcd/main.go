// Command etcd runs a single-member etcd on loopback for the project's tests, through etcd's
// embed package (the same server code as the etcd binary, built from Go modules rather than
// downloaded). It prints "etcd ready" once it serves clients and stops cleanly on SIGTERM or
// SIGINT.
package main

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

func main() {
	dataDir := flag.String("data-dir", "", "folder for the member's data (required)")
	clientPort := flag.Int("client-port", 0, "port on 127.0.0.1 for clients (required)")
	peerPort := flag.Int("peer-port", 0, "port on 127.0.0.1 for peers (required)")
	name := flag.String("name", "iter8ts", "member name")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	// A test cluster is thrown away after use, so losing the last writes on a power cut does not
	// matter, and skipping fsync makes every API write several times faster on slow disks.
	noFsync := flag.Bool("unsafe-no-fsync", true, "skip fsync (test clusters only)")
	flag.Parse()
	if *dataDir == "" || *clientPort <= 0 || *peerPort <= 0 {
		fmt.Fprintln(os.Stderr, "usage: etcd --data-dir DIR --client-port N --peer-port N")
		os.Exit(2)
	}

	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", *clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", *peerPort)}
	cfg := embed.NewConfig()
	cfg.Name = *name
	cfg.Dir = *dataDir
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = *logLevel
	cfg.LogOutputs = []string{"stderr"}
	cfg.UnsafeNoFsync = *noFsync
	// NewConfig leaves this at 0 (the etcd command's flag defaults it), which logs every request.
	cfg.WarningUnaryRequestDuration = embed.DefaultWarningUnaryRequestDuration

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		os.Exit(1)
	}
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	select {
	case <-e.Server.ReadyNotify():
		fmt.Printf("etcd ready on %s\n", clientURL.String())
	case <-time.After(60 * time.Second):
		e.Server.Stop()
		fmt.Fprintln(os.Stderr, "etcd: not ready after 60s")
		os.Exit(1)
	case sig := <-stop:
		e.Close()
		fmt.Fprintf(os.Stderr, "etcd: stopped by %s before ready\n", sig)
		os.Exit(1)
	}

	select {
	case err := <-e.Err():
		e.Close()
		fmt.Fprintf(os.Stderr, "etcd: %v\n", err)
		os.Exit(1)
	case <-stop:
		e.Close()
	}
}
