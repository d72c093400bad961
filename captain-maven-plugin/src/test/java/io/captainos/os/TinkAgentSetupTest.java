package io.captainos.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinkAgentSetupTest {
    @TempDir
    Path dir;

    private ScriptRun setup(String cmdline) throws Exception {
        ScriptRun r = new ScriptRun(dir, cmdline)
                .containerdSocket()
                .fakeCtr()
                .env("CAPTAIN_BACKOFF_SECONDS", "1")
                .env("CAPTAIN_PULL_ATTEMPTS", "5");
        Files.createDirectories(r.image.resolve("usr/bin"));
        Files.writeString(r.image.resolve("usr/bin/tink-agent"), "#!/bin/sh\necho agent\n");
        return r;
    }

    @Test
    void everyKeyReachesTheEnvFileAndThePullWithCtr() throws Exception {
        String cmdline = "console=ttyS0 tink_worker_image=10.0.2.2:5000/tinkerbell/tink-agent:v1"
                + " docker_registry=10.0.2.2:5000 registry_username=admin registry_password=p=ss:w\\o$x"
                + " grpc_authority=10.0.2.2:42113 worker_id=52:54:00:12:34:56 tinkerbell_tls=false"
                + " tinkerbell_insecure_tls=true insecure_registries=10.0.2.2:5000,http://mirror.local/"
                + " syslog_host=10.0.2.2 syslog_port=5514 facility=local3 HTTP_PROXY=http://proxy:3128"
                + " HTTPS_PROXY=http://proxy:3128 NO_PROXY=10.0.2.2,localhost unknown_key=whatever";
        try (ScriptRun r = setup(cmdline)) {
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            Path env = r.root.resolve("etc/tink-agent.env");
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(env)));
            List<String> lines = Files.readAllLines(env);
            // Exactly the names the agent reads from its environment, plus the proxies in both spellings.
            assertEquals(
                    List.of(
                            "TINKERBELL_GRPC_AUTHORITY=\"10.0.2.2:42113\"",
                            "WORKER_ID=\"52:54:00:12:34:56\"",
                            "TINKERBELL_TLS=\"false\"",
                            "TINKERBELL_INSECURE_TLS=\"true\"",
                            "DOCKER_REGISTRY=\"10.0.2.2:5000\"",
                            "REGISTRY_USERNAME=\"admin\"",
                            "REGISTRY_PASSWORD=\"p=ss:w\\\\o\\$x\"",
                            "HTTP_PROXY=\"http://proxy:3128\"",
                            "http_proxy=\"http://proxy:3128\"",
                            "HTTPS_PROXY=\"http://proxy:3128\"",
                            "https_proxy=\"http://proxy:3128\"",
                            "NO_PROXY=\"10.0.2.2,localhost\"",
                            "no_proxy=\"10.0.2.2,localhost\""),
                    lines);
            assertEquals("#!/bin/sh\necho agent\n", Files.readString(r.root.resolve("tink-agent")));
            assertTrue(Files.isExecutable(r.root.resolve("tink-agent")));
            String hosts = Files.readString(r.root.resolve("etc/containerd/certs.d/10.0.2.2:5000/hosts.toml"));
            assertTrue(hosts.contains("server = \"http://10.0.2.2:5000\"") && hosts.contains("skip_verify = true"));
            assertTrue(Files.exists(r.root.resolve("etc/containerd/certs.d/mirror.local/hosts.toml")));
            String pull = r.calls().stream()
                    .filter(c -> c.contains(" pull "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(pull.contains("--plain-http"), pull);
            assertTrue(pull.contains("--user admin "), pull);
            assertFalse(String.join("\n", r.calls()).contains("p=ss:w"), "no password on any command line");
            assertEquals(
                    "p=ss:w\\o$x",
                    Files.readString(r.dir.resolve("images.txt.password")),
                    "ctr read the password from its terminal");
            assertFalse(String.join("\n", res.stdout()).contains("p=ss:w"), "nor in the log");
            assertTrue(pull.contains("--hosts-dir " + r.root.resolve("etc/containerd/certs.d")), pull);
            assertTrue(pull.endsWith(" 10.0.2.2:5000/tinkerbell/tink-agent:v1"), pull);
            assertTrue(r.calls().stream().anyMatch(c -> c.contains(" -n tinkerbell images mount --rw=false ")));
            assertTrue(r.calls().stream().anyMatch(c -> c.contains(" images unmount --rm ")), "the image is unmounted");
        }
    }

    @Test
    void agentImagePullsMountsAndCopiesInOneRunWithThePasswordOnStdin() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/tinkerbell/tink-agent:v1"
                + " insecure_registries=10.0.2.2:5000 registry_username=admin registry_password=p=ss:w\\o$x")) {
            r.fakeAgentImage().fakeNerdctl();
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(1, r.calls().size(), "one client run, no ctr or nerdctl: " + r.calls());
            String call = r.calls().get(0);
            assertTrue(
                    call.startsWith("agent-image --address " + r.dir.resolve("containerd.sock")
                            + " --namespace tinkerbell --hosts-dir " + r.root.resolve("etc/containerd/certs.d")
                            + " --out " + r.root.resolve("tink-agent")),
                    call);
            assertTrue(call.contains(" --plain-http ") && call.contains(" --user admin "), call);
            assertTrue(
                    call.endsWith(" 10.0.2.2:5000/tinkerbell/tink-agent:v1 usr/bin/tink-agent tink-agent"
                            + " usr/local/bin/tink-agent usr/bin/tink-worker"),
                    call);
            assertEquals("p=ss:w\\o$x", Files.readString(r.dir.resolve("images.txt.password")));
            assertFalse(String.join("\n", r.calls()).contains("p=ss:w"), "no password on any command line");
            assertFalse(String.join("\n", res.stdout()).contains("p=ss:w"), "nor in the log");
            assertEquals("#!/bin/sh\necho agent\n", Files.readString(r.root.resolve("tink-agent")));
            assertTrue(Files.isExecutable(r.root.resolve("tink-agent")));
            assertTrue(res.stdout().stream()
                    .anyMatch(l -> l.contains("agent image pulled") && l.contains("\"client\":\"agent-image\"")));
            assertTrue(res.stdout().stream()
                    .anyMatch(l ->
                            l.contains("agent binary extracted") && l.contains("\"path\":\"usr/bin/tink-agent\"")));
            assertTrue(Files.exists(r.root.resolve("etc/tink-agent.env")));
        }
    }

    @Test
    void agentImageRetriesAFailedPullAndSkipsAPresentImage() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            r.fakeAgentImage().env("FAKE_PULL_FAILS", "2");
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(3, r.calls().size(), r.calls().toString());
            List<String> warns =
                    res.stdout().stream().filter(l -> l.contains("pull failed")).toList();
            assertEquals(2, warns.size());
            assertTrue(warns.get(1).contains("\"retry_in_s\":\"2\"")
                    && warns.get(1).contains("connection refused"));
            assertTrue(
                    res.stdout().stream().anyMatch(l -> l.contains("\"attempts\":\"3\"")),
                    res.stdout().toString());
            // the image is now in the (fake) store: the next run finds it there
            Files.delete(r.root.resolve("tink-agent"));
            ScriptRun.Result again = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, again.exit(), again.stderr());
            assertTrue(again.logged("info", "already present"), again.stdout().toString());
            assertTrue(Files.exists(r.root.resolve("tink-agent")));
        }
    }

    @Test
    void agentImageFindingNoAgentFailsClearlyWithoutRetrying() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            r.fakeAgentImage();
            Files.delete(r.image.resolve("usr/bin/tink-agent"));
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(1, res.exit());
            assertTrue(res.logged("error", "no agent binary in the image"));
            assertEquals(1, r.calls().size(), r.calls().toString());
            assertFalse(Files.exists(r.root.resolve("tink-agent")));
        }
    }

    @Test
    void theFakeAgentImageRefusesWhatTheRealOneRefuses() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            r.fakeAgentImage();
            Path fake = r.bin.resolve("agent-image");
            for (List<String> args : List.of(
                    List.of("--plain-htp", "--out", "/x", "img", "f"),
                    List.of("--out", "/x", "img"),
                    List.of("img", "f"),
                    List.of("--plain-http=maybe", "--out", "/x", "img", "f"),
                    List.of("--out"))) {
                List<String> cmd = new java.util.ArrayList<>(List.of(fake.toString()));
                cmd.addAll(args);
                ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
                pb.environment().put("FAKE_CALLS", r.dir.resolve("calls").toString());
                pb.environment()
                        .put(
                                "FAKE_BOOL_FLAGS",
                                String.join(" ", ScriptRun.agentImageFlags().get(0)));
                pb.environment()
                        .put(
                                "FAKE_VALUE_FLAGS",
                                String.join(" ", ScriptRun.agentImageFlags().get(1)));
                Process p = pb.start();
                p.getOutputStream().close();
                p.getInputStream().readAllBytes();
                assertEquals(2, p.waitFor(), "refused with the flag package's status: " + args);
            }
        }
    }

    @Test
    void usesNerdctlWhenItIsInstalled() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=reg.example:5000/agent insecure_registries=reg.example:5000"
                + " registry_username=u registry_password=secret")) {
            r.fakeNerdctl();
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            String pull = r.calls().stream()
                    .filter(c -> c.startsWith("nerdctl") && c.contains(" pull "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(pull.contains("--namespace tinkerbell") && pull.contains("--insecure-registry"), pull);
            assertTrue(pull.endsWith("reg.example:5000/agent:latest"), "untagged image gets :latest: " + pull);
            assertEquals("secret", Files.readString(r.dir.resolve("images.txt.password")));
            assertTrue(res.logged("info", "agent image pulled")
                    && res.stdout().stream().anyMatch(l -> l.contains("\"client\":\"nerdctl\"")));
        }
    }

    @Test
    void retriesThePullWithDoublingWaits() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            r.env("FAKE_PULL_FAILS", "2");
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(3, r.calls().stream().filter(c -> c.contains(" pull ")).count());
            List<String> warns =
                    res.stdout().stream().filter(l -> l.contains("pull failed")).toList();
            assertEquals(2, warns.size());
            assertTrue(warns.get(0).contains("\"retry_in_s\":\"1\"")
                    && warns.get(1).contains("\"retry_in_s\":\"2\""));
            assertTrue(warns.get(0).contains("connection refused"), "the client's error is in the log");
        }
    }

    @Test
    void givesUpAfterTheConfiguredAttemptsWithAClearError() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            r.env("FAKE_PULL_FAILS", "99").env("CAPTAIN_PULL_ATTEMPTS", "2");
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(1, res.exit());
            assertTrue(res.logged("error", "giving up on the agent image"));
            assertFalse(Files.exists(r.root.resolve("etc/tink-agent.env")));
        }
    }

    @Test
    void skipsThePullWhenTheImageIsPresent() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            Files.writeString(r.dir.resolve("images.txt"), "10.0.2.2:5000/agent:v1\n");
            ScriptRun.Result res = r.run("tink-agent-setup");
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(res.logged("info", "already present"));
            assertTrue(r.calls().stream().noneMatch(c -> c.contains(" pull ")));
            assertTrue(Files.exists(r.root.resolve("tink-agent")));
        }
    }

    @Test
    void theDefaultImageComesFromDockerRegistry() throws Exception {
        try (ScriptRun r = setup("docker_registry=registry.local:5000 tink_worker_image=")) {
            ScriptRun.Result res = r.run("tink-agent-setup");
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(
                    r.calls().stream().anyMatch(c -> c.endsWith(" registry.local:5000/tink-agent:latest")),
                    r.calls().toString());
            assertTrue(Files.readString(r.root.resolve("etc/tink-agent.env"))
                    .contains("DOCKER_REGISTRY=\"registry.local:5000\""));
        }
    }

    @Test
    void bareNamesAreDockerHubNames() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=tink-agent")) {
            assertEquals(0, r.run("tink-agent-setup").exit());
            assertTrue(
                    r.calls().stream()
                            .anyMatch(c -> c.endsWith(" pull --hosts-dir " + r.root.resolve("etc/containerd/certs.d")
                                    + " docker.io/library/tink-agent:latest")),
                    r.calls().toString());
        }
    }

    @Test
    void findsTheAgentAtAnyKnownPath() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            Files.delete(r.image.resolve("usr/bin/tink-agent"));
            Files.createDirectories(r.image.resolve("usr/local/bin"));
            Files.writeString(r.image.resolve("usr/local/bin/tink-agent"), "local");
            assertEquals(0, r.run("tink-agent-setup").exit());
            assertEquals("local", Files.readString(r.root.resolve("tink-agent")));
        }
    }

    @Test
    void anImageWithoutTheAgentFailsClearly() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=10.0.2.2:5000/agent:v1")) {
            Files.delete(r.image.resolve("usr/bin/tink-agent"));
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(1, res.exit());
            assertTrue(res.logged("error", "no agent binary in the image"));
        }
    }

    @Test
    void aRegistryAtAnIpv6LiteralIsReachedOverPlainHttp() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=[fec0::2]:5000/tinkerbell/tink-agent:v1"
                + " insecure_registries=[fec0::2]:5000,[fd00:1::7],[fd00::zz]:80")) {
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            // containerd looks for the host's folder under its own name, brackets and port as written.
            String hosts = Files.readString(r.root.resolve("etc/containerd/certs.d/[fec0::2]:5000/hosts.toml"));
            assertTrue(hosts.contains("server = \"http://[fec0::2]:5000\""), hosts);
            assertTrue(Files.exists(r.root.resolve("etc/containerd/certs.d/[fd00:1::7]/hosts.toml")));
            assertTrue(res.logged("warn", "ignoring insecure registry"), "[fd00::zz] is no address");
            String pull = r.calls().stream()
                    .filter(c -> c.contains(" pull "))
                    .findFirst()
                    .orElseThrow();
            assertTrue(
                    pull.contains("--plain-http") && pull.endsWith(" [fec0::2]:5000/tinkerbell/tink-agent:v1"), pull);
        }
    }

    @Test
    void badInsecureRegistryEntriesAreSkippedAndLogged() throws Exception {
        try (ScriptRun r = setup("tink_worker_image=a.b:5000/agent insecure_registries=,bad/path,a.b:5000,")) {
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(res.logged("warn", "ignoring insecure registry"));
            assertTrue(Files.exists(r.root.resolve("etc/containerd/certs.d/a.b:5000/hosts.toml")));
            try (var s = Files.list(r.root.resolve("etc/containerd/certs.d"))) {
                assertEquals(1, s.count());
            }
        }
    }

    @Test
    void withoutAnImageOrRegistryThereIsNothingToDo() throws Exception {
        try (ScriptRun r = setup("console=ttyS0 worker_id=x")) {
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit());
            assertTrue(res.logged("info", "no agent to prepare"));
            assertTrue(r.calls().isEmpty());
        }
    }

    @Test
    void aMissingContainerdSocketFailsAfterTheWait() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "tink_worker_image=x/y")) {
            r.fakeCtr()
                    .env("CAPTAIN_CONTAINERD_SOCKET", dir.resolve("none.sock").toString())
                    .env("CAPTAIN_SOCKET_WAIT_SECONDS", "1");
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(1, res.exit());
            assertTrue(res.logged("error", "containerd socket did not appear"));
        }
    }

    @Test
    void aFailedPullWithCredentialsNeverLogsThePassword() throws Exception {
        try (ScriptRun r = setup(
                "tink_worker_image=10.0.2.2:5000/agent:v1 registry_username=u" + " registry_password=hunter2-secret")) {
            r.env("FAKE_PULL_FAILS", "1");
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(res.logged("warn", "pull failed"), res.stdout().toString());
            assertFalse(
                    String.join("\n", res.stdout()).contains("hunter2"),
                    res.stdout().toString());
            assertFalse(
                    String.join("\n", r.calls()).contains("hunter2"), r.calls().toString());
        }
    }

    @Test
    void aTlsValueThatIsNotABooleanIsLoggedAndTakenAsFalse() throws Exception {
        try (ScriptRun r = setup(
                "tink_worker_image=10.0.2.2:5000/agent:v1 tinkerbell_tls=yes-please" + " tinkerbell_insecure_tls=1")) {
            ScriptRun.Result res = r.run("tink-agent-setup").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(
                    res.logged("warn", "not a boolean; taken as false")
                            && res.stdout().stream().anyMatch(l -> l.contains("\"value\":\"yes-please\"")),
                    res.stdout().toString());
            List<String> env = Files.readAllLines(r.root.resolve("etc/tink-agent.env"));
            assertTrue(
                    env.contains("TINKERBELL_TLS=\"false\"") && env.contains("TINKERBELL_INSECURE_TLS=\"true\""),
                    env.toString());
        }
    }
}
