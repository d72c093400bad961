// Command containerd is containerd, ctr and the boot's setup client in one binary, each run under its own name (the
// OS links ctr and agent-image to it): an OS that lives in RAM holds containerd's code once instead of three times,
// and on a machine whose CPU is emulated the code containerd ran at its start is already translated when the setup's
// client runs the same libraries. containerd and ctr start as their own mains start them; a name that is none of
// the three is containerd.
//
// agent-image makes sure an image is in containerd's store, pulling and unpacking it when it is not, and copies the
// first of the named files its filesystem holds to a destination: what took the setup four ctr runs (list, pull,
// mount, unmount) is one.
//
// Usage: agent-image [flags] IMAGE FILE... (FILE relative to the image's root, tried in order)
//
// With -user the registry password is read from standard input (one line), so it never appears on a command line.
// Standard output gets one line per step ("present", "pulled", "found FILE"); errors go to standard error as one
// line. Exit status: 0 done, 4 the pull failed (worth retrying), 3 the image holds none of the files, 2 bad usage (an
// unknown flag, no IMAGE or FILE, no -out), 1 anything else (no containerd, a mount or copy that failed).
package main

import (
	"bufio"
	"context"
	"crypto"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/containerd/containerd"
	_ "github.com/containerd/containerd/cmd/containerd/builtins"
	"github.com/containerd/containerd/cmd/containerd/command"
	"github.com/containerd/containerd/cmd/ctr/app"
	"github.com/containerd/containerd/errdefs"
	"github.com/containerd/containerd/leases"
	"github.com/containerd/containerd/mount"
	"github.com/containerd/containerd/pkg/hasher"
	"github.com/containerd/containerd/pkg/seed"
	"github.com/containerd/containerd/remotes"
	"github.com/containerd/containerd/remotes/docker"
	"github.com/containerd/containerd/remotes/docker/config"
	"github.com/containerd/platforms"
	"github.com/opencontainers/image-spec/identity"
)

const (
	exitFailed   = 1
	exitUsage    = 2 // as the flag package exits on an unknown flag
	exitNotFound = 3
	exitPull     = 4
)

type failure struct {
	code int
	err  error
}

func (f *failure) Error() string { return f.err.Error() }

func fail(code int, format string, args ...any) error {
	return &failure{code, fmt.Errorf(format, args...)}
}

func init() {
	// as containerd's and ctr's main packages do
	seed.WithTimeAndRand() //nolint:staticcheck // their libraries still use the global math/rand
	crypto.RegisterHash(crypto.SHA256, hasher.NewSHA256)
}

func main() {
	switch filepath.Base(os.Args[0]) {
	case "agent-image":
		agentImage(os.Args[1:])
	case "ctr":
		if err := app.New().Run(os.Args); err != nil {
			fmt.Fprintf(os.Stderr, "ctr: %s\n", err)
			os.Exit(1)
		}
	default:
		if err := command.App().Run(os.Args); err != nil {
			fmt.Fprintf(os.Stderr, "containerd: %s\n", err)
			os.Exit(1)
		}
	}
}

func agentImage(args []string) {
	fs := flag.NewFlagSet("agent-image", flag.ExitOnError)
	address := fs.String("address", "/run/containerd/containerd.sock", "containerd's socket")
	namespace := fs.String("namespace", "default", "containerd namespace of the image")
	hostsDir := fs.String("hosts-dir", "", "registry host configuration (hosts.toml per registry), as containerd's")
	plainHTTP := fs.Bool("plain-http", false, "reach the image's registry over plain HTTP")
	user := fs.String("user", "", "registry user name; the password is read from standard input")
	out := fs.String("out", "", "where the file found is copied to (mode 0755, replaced atomically)")
	mountRoot := fs.String("mount-root", os.TempDir(), "folder under which the image is mounted read-only")
	timeout := fs.Duration("timeout", 10*time.Minute, "limit of the whole run")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: agent-image [flags] IMAGE FILE...")
		fs.PrintDefaults()
	}
	fs.Parse(args) // exits with status 2 on a flag it does not define
	if fs.NArg() < 2 || *out == "" {
		fs.Usage()
		os.Exit(exitUsage)
	}
	password := ""
	if *user != "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			fmt.Fprintln(os.Stderr, "agent-image: cannot read the registry password from standard input:", err)
			os.Exit(exitFailed)
		}
		password = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	err := run(ctx, *address, *namespace, *hostsDir, *plainHTTP, *user, password, *mountRoot, *out,
		fs.Arg(0), fs.Args()[1:])
	cancel()
	if err != nil {
		fmt.Fprintln(os.Stderr, "agent-image:", err)
		var f *failure
		if errors.As(err, &f) {
			os.Exit(f.code)
		}
		os.Exit(exitFailed)
	}
}

func run(ctx context.Context, address, namespace, hostsDir string, plainHTTP bool, user, password, mountRoot,
	out, ref string, files []string) error {
	client, err := containerd.New(address, containerd.WithDefaultNamespace(namespace),
		containerd.WithTimeout(30*time.Second))
	if err != nil {
		return fail(exitFailed, "cannot reach containerd at %s: %w", address, err)
	}
	defer client.Close()
	// What this run makes (the unpacked layers, the read-only view) is held by a lease until it is done with it.
	ctx, done, err := client.WithLease(ctx, leases.WithExpiration(time.Hour))
	if err != nil {
		return fail(exitFailed, "cannot take a lease from containerd: %w", err)
	}
	defer done(context.Background())

	platform := platforms.Default()
	img, err := client.GetImage(ctx, ref)
	switch {
	case err == nil:
		img = containerd.NewImageWithPlatform(client, img.Metadata(), platform)
		fmt.Println("present")
	case errdefs.IsNotFound(err):
		img, err = client.Pull(ctx, ref,
			containerd.WithResolver(resolver(ctx, hostsDir, plainHTTP, user, password)),
			containerd.WithPlatformMatcher(platform),
			containerd.WithPullUnpack)
		if err != nil {
			return fail(exitPull, "pulling %s: %w", ref, err)
		}
		fmt.Println("pulled")
	default:
		return fail(exitFailed, "looking up %s in containerd: %w", ref, err)
	}
	snapshotter := containerd.DefaultSnapshotter
	if err := img.Unpack(ctx, snapshotter); err != nil {
		return fail(exitFailed, "unpacking %s: %w", ref, err)
	}
	diffIDs, err := img.RootFS(ctx)
	if err != nil {
		return fail(exitFailed, "reading the layers of %s: %w", ref, err)
	}

	dir, err := os.MkdirTemp(mountRoot, "agent-image.")
	if err != nil {
		return fail(exitFailed, "%w", err)
	}
	defer os.Remove(dir)
	snapshots := client.SnapshotService(snapshotter)
	key := filepath.Base(dir)
	mounts, err := snapshots.View(ctx, key, identity.ChainID(diffIDs).String())
	if err != nil {
		return fail(exitFailed, "viewing the filesystem of %s: %w", ref, err)
	}
	defer snapshots.Remove(context.Background(), key)
	if err := mount.All(mounts, dir); err != nil {
		return fail(exitFailed, "mounting the filesystem of %s on %s: %w", ref, dir, err)
	}
	defer mount.UnmountAll(dir, 0)

	for _, f := range files {
		src := filepath.Join(dir, filepath.Clean("/"+f))
		if st, err := os.Stat(src); err != nil || !st.Mode().IsRegular() {
			continue
		}
		if err := copyFile(src, out); err != nil {
			return fail(exitFailed, "copying %s of %s to %s: %w", f, ref, out, err)
		}
		fmt.Println("found", f)
		return nil
	}
	return fail(exitNotFound, "%s holds none of %s", ref, strings.Join(files, " "))
}

// resolver reaches registries as ctr does: the hosts.toml files of hostsDir, the default TLS settings unless the
// registry is plain HTTP, the user and password (when given) for every host, and proxies from the environment.
func resolver(ctx context.Context, hostsDir string, plainHTTP bool, user, password string) remotes.Resolver {
	options := config.HostOptions{DefaultTLS: &tls.Config{}}
	if user != "" {
		options.Credentials = func(string) (string, string, error) { return user, password, nil }
	}
	if plainHTTP {
		options.DefaultScheme = "http"
	}
	if hostsDir != "" {
		options.HostDir = config.HostDirFromRoot(hostsDir)
	}
	return docker.NewResolver(docker.ResolverOptions{Hosts: config.ConfigureHosts(ctx, options)})
}

// copyFile writes src to a file beside dst and renames it into place, so dst is either the old file or all of src;
// on any failure the file beside it is removed.
func copyFile(src, dst string) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	o, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o755)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			o.Close()
			os.Remove(tmp)
		}
	}()
	if _, err = io.Copy(o, in); err != nil {
		return err
	}
	if err = o.Chmod(0o755); err != nil {
		return err
	}
	if err = o.Sync(); err != nil {
		return err
	}
	if err = o.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
