// A stand-in for Tinkerbell's tink-agent, for tests. It declares the real agent's command-line interface and
// parses it the way the real one does, so a command line the real agent would refuse is refused here too:
//
//   - the flag set is the real agent's (general, container registry, containerd, docker, gRPC, file, NATS and
//     legacy flags); an unknown flag or a flag without its value prints the usage and exits 1;
//   - `-x` and `--x` are the same flag; a boolean takes its value as `-x=false`;
//   - every flag not given on the command line is read from AGENT_<NAME> (upper case, '-' as '_'); a value the
//     flag cannot take exits 1;
//   - then the legacy variables REGISTRY_USERNAME, REGISTRY_PASSWORD, DOCKER_REGISTRY, TINKERBELL_GRPC_AUTHORITY,
//     TINKERBELL_TLS, TINKERBELL_INSECURE_TLS, ID and WORKER_ID override what was parsed when they are not empty
//     (a boolean one that does not parse is ignored, as the real agent ignores it).
//
// One thing is stricter on purpose: the real agent stops reading flags at the first word that is not a flag and
// ignores the rest of the line without a word, so a stray word silently drops every flag after it. The stand-in
// exits 1 on it instead.
//
// Once parsed it prints one JSON line, `{"standin":"parsed",...}`, with every setting (the registry password only
// as "set" or ""), connects over TCP to the -grpc-server address, sends that line, and runs the actions the
// server answers with, one JSON object per line ({"id","image","env","cmd"}), through containerd's `ctr`:
// pulled into the containerd namespace with the registry hosts configuration, run privileged with the host's
// devices and network, as the real containerd runtime runs actions. Each result goes back as one JSON line.
// `-standin-check` is not a flag: run with STANDIN_CHECK=1 in the environment, it only parses and prints.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"time"
)

type choice struct {
	value   string
	allowed []string
}

func (c *choice) String() string { return c.value }

func (c *choice) Set(s string) error {
	for _, a := range c.allowed {
		if strings.EqualFold(s, a) {
			c.value = strings.ToLower(s)
			return nil
		}
	}
	return fmt.Errorf("invalid value %q, must be one of [%s]", s, strings.Join(c.allowed, ", "))
}

type addrPort struct{ value string }

func (a *addrPort) String() string { return a.value }

func (a *addrPort) Set(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return err
	}
	if net.ParseIP(host) == nil {
		return fmt.Errorf("%q is not an IP address", host)
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("bad port %q", port)
	}
	a.value = s
	return nil
}

type config struct {
	ID                 string        `json:"id"`
	LogLevel           int           `json:"log_level"`
	Runtime            string        `json:"runtime"`
	Transport          string        `json:"transport"`
	RegistryName       string        `json:"registry_name"`
	RegistryUser       string        `json:"registry_user"`
	RegistryPass       string        `json:"-"`
	RegistryPassSet    string        `json:"registry_pass"`
	ContainerdSocket   string        `json:"containerd_socket"`
	ContainerdNS       string        `json:"containerd_namespace"`
	DockerSocket       string        `json:"docker_socket"`
	GRPCServer         string        `json:"grpc_server"`
	GRPCTLS            bool          `json:"grpc_tls"`
	GRPCInsecureTLS    bool          `json:"grpc_insecure_tls"`
	GRPCRetryInterval  time.Duration `json:"-"`
	GRPCRetry          string        `json:"grpc_retry_interval"`
	WorkflowPath       string        `json:"workflow_path"`
	NATSServer         string        `json:"nats_server"`
	NATSStream         string        `json:"nats_stream"`
	NATSEvents         string        `json:"nats_events"`
	NATSActions        string        `json:"nats_actions"`
	FlagsGiven         []string      `json:"flags_given"`
	EnvironmentApplied []string      `json:"environment_applied"`
}

func flags(c *config, runtime, transport *choice, nats *addrPort) *flag.FlagSet {
	fs := flag.NewFlagSet("tink-agent", flag.ContinueOnError)
	// general
	fs.StringVar(&c.ID, "id", "", "ID of the agent")
	fs.IntVar(&c.LogLevel, "log-level", 0, "Log level")
	fs.Var(runtime, "runtime", "Container runtime used to run Actions, must be one of [docker, containerd, kubernetes]")
	fs.Var(transport, "transport", "Transport used to receive Workflows/Actions and to send results, must be one of [grpc, nats, file]")
	// container registry
	fs.StringVar(&c.RegistryName, "registry-name", "", "Container image Registry name to which to log in")
	fs.StringVar(&c.RegistryUser, "registry-user", "", "Container image Registry user for authentication")
	fs.StringVar(&c.RegistryPass, "registry-pass", "", "Container image Registry pass for authentication")
	// containerd runtime
	fs.StringVar(&c.ContainerdNS, "containerd-namespace", "tinkerbell", "Containerd namespace")
	fs.StringVar(&c.ContainerdSocket, "containerd-socket", "/run/containerd/containerd.sock", "Containerd socket path")
	// docker runtime
	fs.StringVar(&c.DockerSocket, "docker-socket", "/var/run/docker.sock", "Docker socket path")
	// gRPC transport
	fs.StringVar(&c.GRPCServer, "grpc-server", "", "gRPC server address:port")
	fs.BoolVar(&c.GRPCTLS, "grpc-tls", false, "gRPC TLS enabled")
	fs.BoolVar(&c.GRPCInsecureTLS, "grpc-insecure-tls", false, "gRPC insecure TLS")
	fs.DurationVar(&c.GRPCRetryInterval, "grpc-retry-interval", 5*time.Second, "gRPC retry interval")
	// file transport
	fs.StringVar(&c.WorkflowPath, "workflow-path", "", "Workflow file path")
	// NATS transport
	fs.Var(nats, "nats-server", "NATS server address:port")
	fs.StringVar(&c.NATSStream, "nats-stream", "tinkerbell", "NATS stream name")
	fs.StringVar(&c.NATSEvents, "nats-events", "workflow_status", "NATS events subject")
	fs.StringVar(&c.NATSActions, "nats-actions", "workflow_actions", "NATS actions subject")
	// legacy
	fs.StringVar(&c.RegistryUser, "registry-username", "", "Container image Registry user for authentication")
	fs.StringVar(&c.RegistryPass, "registry-password", "", "Container image Registry pass for authentication")
	fs.StringVar(&c.RegistryName, "docker-registry", "", "Container image Registry name to which to log in")
	fs.StringVar(&c.GRPCServer, "tinkerbell-grpc-authority", "", "Tink server GRPC address:port")
	fs.BoolVar(&c.GRPCInsecureTLS, "tinkerbell-insecure-tls", false, "Tink server GRPC insecure TLS")
	fs.BoolVar(&c.GRPCTLS, "tinkerbell-tls", false, "Tink server GRPC use TLS")
	return fs
}

func envKey(name string) string {
	return "AGENT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func parse(args []string) (*config, error) {
	c := &config{}
	runtime := &choice{value: "docker", allowed: []string{"docker", "containerd", "kubernetes"}}
	transport := &choice{value: "grpc", allowed: []string{"grpc", "nats", "file"}}
	nats := &addrPort{value: "0.0.0.0:0"}
	fs := flags(c, runtime, transport, nats)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("stray argument %q: the real agent stops reading flags there and ignores %q",
			fs.Arg(0), fs.Args())
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var envErr error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || envErr != nil {
			return
		}
		key := envKey(f.Name)
		if v, ok := os.LookupEnv(key); ok {
			if err := f.Value.Set(v); err != nil {
				envErr = fmt.Errorf("parse environment: %s=%q: %w", key, v, err)
				return
			}
			c.EnvironmentApplied = append(c.EnvironmentApplied, key)
		}
	})
	if envErr != nil {
		return nil, envErr
	}
	for _, key := range []string{"REGISTRY_USERNAME", "REGISTRY_PASSWORD", "DOCKER_REGISTRY",
		"TINKERBELL_GRPC_AUTHORITY", "TINKERBELL_TLS", "TINKERBELL_INSECURE_TLS", "ID", "WORKER_ID"} {
		v := os.Getenv(key)
		if v == "" {
			continue
		}
		applied := true
		switch key {
		case "REGISTRY_USERNAME":
			c.RegistryUser = v
		case "REGISTRY_PASSWORD":
			c.RegistryPass = v
		case "DOCKER_REGISTRY":
			c.RegistryName = v
		case "TINKERBELL_GRPC_AUTHORITY":
			c.GRPCServer = v
		case "TINKERBELL_TLS":
			b, err := strconv.ParseBool(v)
			applied = err == nil
			if applied {
				c.GRPCTLS = b
			}
		case "TINKERBELL_INSECURE_TLS":
			b, err := strconv.ParseBool(v)
			applied = err == nil
			if applied {
				c.GRPCInsecureTLS = b
			}
		case "ID", "WORKER_ID":
			c.ID = v
		}
		if applied {
			c.EnvironmentApplied = append(c.EnvironmentApplied, key)
		}
	}
	for name := range given {
		c.FlagsGiven = append(c.FlagsGiven, name)
	}
	sort.Strings(c.FlagsGiven)
	if c.FlagsGiven == nil {
		c.FlagsGiven = []string{}
	}
	if c.EnvironmentApplied == nil {
		c.EnvironmentApplied = []string{}
	}
	c.Runtime = runtime.value
	c.Transport = transport.value
	c.NATSServer = nats.value
	c.GRPCRetry = c.GRPCRetryInterval.String()
	if c.RegistryPass != "" {
		c.RegistryPassSet = "set"
	}
	return c, nil
}

type action struct {
	ID    string            `json:"id"`
	Image string            `json:"image"`
	Env   map[string]string `json:"env"`
	Cmd   []string          `json:"cmd"`
}

type result struct {
	Standin string  `json:"standin"`
	ID      string  `json:"id"`
	Exit    int     `json:"exit"`
	Seconds float64 `json:"seconds"`
	Error   string  `json:"error,omitempty"`
	Output  string  `json:"output,omitempty"`
}

func ctr(c *config, args ...string) *exec.Cmd {
	full := append([]string{"--address", c.ContainerdSocket, "--namespace", c.ContainerdNS}, args...)
	return exec.Command("ctr", full...)
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = s[len(s)-2000:]
	}
	return s
}

// run pulls and runs one action the way the real containerd runtime does: the namespace's image store, the
// registry hosts configuration of /etc/containerd/certs.d, a privileged container with the host's devices.
func run(c *config, a action) result {
	start := time.Now()
	r := result{Standin: "action", ID: a.ID, Exit: -1}
	done := func() result {
		r.Seconds = time.Since(start).Seconds()
		return r
	}
	if out, err := ctr(c, "images", "pull", "--hosts-dir", "/etc/containerd/certs.d", a.Image).CombinedOutput(); err != nil {
		r.Error = "pull: " + err.Error()
		r.Output = tail(out)
		return done()
	}
	args := []string{"run", "--rm", "--privileged", "--net-host"}
	keys := make([]string, 0, len(a.Env))
	for k := range a.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		args = append(args, "--env", k+"="+a.Env[k])
	}
	args = append(args, a.Image, "action-"+a.ID)
	args = append(args, a.Cmd...)
	out, err := ctr(c, args...).CombinedOutput()
	r.Output = tail(out)
	var exit *exec.ExitError
	switch {
	case err == nil:
		r.Exit = 0
	case errors.As(err, &exit):
		r.Exit = exit.ExitCode()
	default:
		r.Error = "run: " + err.Error()
	}
	return done()
}

func serve(c *config, hello []byte) error {
	var conn net.Conn
	var err error
	for attempt := 1; ; attempt++ {
		conn, err = net.DialTimeout("tcp", c.GRPCServer, 10*time.Second)
		if err == nil {
			break
		}
		fmt.Fprintf(os.Stderr, "connect to %s (attempt %d): %v\n", c.GRPCServer, attempt, err)
		time.Sleep(c.GRPCRetryInterval)
	}
	defer conn.Close()
	if _, err := conn.Write(append(hello, '\n')); err != nil {
		return err
	}
	in := bufio.NewReader(conn)
	for {
		line, err := in.ReadBytes('\n')
		if errors.Is(err, io.EOF) && len(line) == 0 {
			return nil
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		var a action
		if err := json.Unmarshal(line, &a); err != nil {
			return fmt.Errorf("not an action: %q: %w", line, err)
		}
		r := run(c, a)
		b, _ := json.Marshal(r)
		fmt.Println(string(b))
		if _, err := conn.Write(append(b, '\n')); err != nil {
			return err
		}
	}
}

func main() {
	c, err := parse(os.Args[1:])
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tink-agent:", err)
		}
		os.Exit(1)
	}
	hello, _ := json.Marshal(struct {
		Standin string `json:"standin"`
		*config
	}{"parsed", c})
	fmt.Println(string(hello))
	if os.Getenv("STANDIN_CHECK") == "1" {
		return
	}
	if c.Runtime != "containerd" || c.Transport != "grpc" || c.GRPCServer == "" {
		fmt.Fprintf(os.Stderr, "tink-agent: the stand-in runs the containerd runtime over the grpc transport with a server;"+
			" got runtime %q, transport %q, server %q\n", c.Runtime, c.Transport, c.GRPCServer)
		os.Exit(1)
	}
	if err := serve(c, hello); err != nil {
		fmt.Fprintln(os.Stderr, "tink-agent:", err)
		os.Exit(1)
	}
	// The real agent keeps running; so does the stand-in once the server has nothing more.
	for {
		time.Sleep(time.Hour)
	}
}
