package io.captainos.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.agent.StandinAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tink-agent-run} starts the stand-in agent, which parses its command line and environment as the real
 * agent does and refuses what the real one refuses: a wrong flag fails here in seconds rather than in a boot.
 */
class AgentCommandLineTest {
    private static Path standin;

    @TempDir
    Path dir;

    @BeforeAll
    static void compile() throws Exception {
        String arch = System.getProperty("os.arch");
        standin = StandinAgent.build(
                Path.of("target/standin-agent"), arch.equals("aarch64") || arch.equals("arm64") ? "arm64" : "amd64");
    }

    /** The stand-in run directly; only parses (STANDIN_CHECK) and prints. */
    private record Run(int exit, String stdout, String stderr) {}

    private static Run standin(List<String> args, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(standin.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.environment().put("STANDIN_CHECK", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] err = p.getErrorStream().readAllBytes();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out.strip(), new String(err, StandardCharsets.UTF_8));
    }

    /** A wrapper at CAPTAIN_AGENT that records the arguments, then execs the stand-in in check mode. */
    private ScriptRun runner(Map<String, String> env) throws Exception {
        ScriptRun r = new ScriptRun(dir, "");
        Path agent = dir.resolve("agent");
        Files.writeString(
                agent,
                "#!/bin/bash\necho agent >> \"$FAKE_CALLS\"\nprintf '%s\\n' \"$@\" > \"" + dir.resolve("args") + "\"\n"
                        + "STANDIN_CHECK=1 exec \"" + standin + "\" \"$@\"\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
        r.fakeUdevadm().env("CAPTAIN_AGENT", agent.toString());
        env.forEach(r::env);
        return r;
    }

    private List<String> args() throws Exception {
        return Files.readAllLines(dir.resolve("args"));
    }

    private static String parsed(ScriptRun.Result res) {
        return res.stdout().stream()
                .filter(l -> l.startsWith("{\"standin\":\"parsed\""))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the stand-in printed no parsed line: " + res));
    }

    @Test
    void everySetValueBecomesARealFlagAndTheStandinAcceptsThem() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TINKERBELL_GRPC_AUTHORITY", "10.0.2.2:42113");
        env.put("WORKER_ID", "52:54:00:12:34:56");
        env.put("TINKERBELL_TLS", "true");
        env.put("TINKERBELL_INSECURE_TLS", "false");
        env.put("DOCKER_REGISTRY", "10.0.2.2:5000");
        env.put("REGISTRY_USERNAME", "admin");
        env.put("REGISTRY_PASSWORD", "s3cret");
        try (ScriptRun r = runner(env)) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), "the stand-in refused the command line: " + res.stderr());
            List<String> args = args();
            assertEquals(
                    List.of(
                            "-runtime",
                            "containerd",
                            "-containerd-socket",
                            "/run/containerd/containerd.sock",
                            "-containerd-namespace",
                            "tinkerbell",
                            "-transport",
                            "grpc",
                            "-grpc-server",
                            "10.0.2.2:42113",
                            "-grpc-tls=true",
                            "-grpc-insecure-tls=false",
                            "-id",
                            "52:54:00:12:34:56",
                            "-registry-name",
                            "10.0.2.2:5000",
                            "-registry-user",
                            "admin"),
                    args);
            assertFalse(args.contains("s3cret"), "the password is not on the command line");
            String json = parsed(res);
            for (String field : List.of(
                    "\"id\":\"52:54:00:12:34:56\"",
                    "\"runtime\":\"containerd\"",
                    "\"transport\":\"grpc\"",
                    "\"grpc_server\":\"10.0.2.2:42113\"",
                    "\"grpc_tls\":true",
                    "\"grpc_insecure_tls\":false",
                    "\"registry_name\":\"10.0.2.2:5000\"",
                    "\"registry_user\":\"admin\"",
                    "\"registry_pass\":\"set\"",
                    "\"containerd_socket\":\"/run/containerd/containerd.sock\"",
                    "\"containerd_namespace\":\"tinkerbell\"")) {
                assertTrue(json.contains(field), field + " in " + json);
            }
            assertFalse(String.join("\n", res.stdout()).contains("s3cret"), "nor in the log");
            assertTrue(res.logged("info", "starting the agent")
                    && res.stdout().stream().anyMatch(l -> l.contains("\"registry_password\":\"in the environment\"")));
            // The flags alone, with no environment at all, say the same (the password aside).
            Run bare = standin(args, Map.of());
            assertEquals(0, bare.exit(), bare.stderr());
            assertEquals(
                    json.replace("\"registry_pass\":\"set\"", "\"registry_pass\":\"\"")
                            .replaceAll(",\"environment_applied\":\\[[^]]*]", ""),
                    bare.stdout().replaceAll(",\"environment_applied\":\\[[^]]*]", ""));
        }
    }

    @Test
    void withNothingSetTheAgentGetsTheRuntimeTheTransportAndBothBooleans() throws Exception {
        try (ScriptRun r = runner(Map.of())) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(
                    List.of(
                            "-runtime",
                            "containerd",
                            "-containerd-socket",
                            "/run/containerd/containerd.sock",
                            "-containerd-namespace",
                            "tinkerbell",
                            "-transport",
                            "grpc",
                            "-grpc-tls=false",
                            "-grpc-insecure-tls=false"),
                    args());
            assertTrue(res.logged("info", "starting the agent")
                    && res.stdout().stream().anyMatch(l -> l.contains("\"registry_password\":\"none\"")));
        }
    }

    @Test
    void theAgentStartsOnceUdevHasHandledTheBootsDevices() throws Exception {
        try (ScriptRun r = runner(Map.of())) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(List.of("udevadm settle --timeout=120", "agent"), r.calls());
            assertFalse(
                    res.logged("warn", "udev has not handled every device yet"),
                    res.stdout().toString());
        }
    }

    @Test
    void aDeviceThatHoldsUdevDoesNotHoldTheAgent() throws Exception {
        try (ScriptRun r = runner(Map.of("FAKE_SETTLE_FAILS", "1", "CAPTAIN_UDEV_SETTLE_SECONDS", "30"))) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(List.of("udevadm settle --timeout=30", "agent"), r.calls());
            assertTrue(
                    res.logged("warn", "udev has not handled every device yet"),
                    res.stdout().toString());
            assertTrue(parsed(res).contains("\"runtime\":\"containerd\""), "the agent started and parsed its flags");
        }
    }

    @Test
    void aTlsValueThatIsNotABooleanIsPassedAsFalse() throws Exception {
        try (ScriptRun r = runner(Map.of("TINKERBELL_TLS", "yes", "TINKERBELL_INSECURE_TLS", "T"))) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), res.stderr());
            assertTrue(
                    args().contains("-grpc-tls=false") && args().contains("-grpc-insecure-tls=true"),
                    args().toString());
            assertTrue(
                    res.logged("warn", "not a boolean; passing false"),
                    res.stdout().toString());
            assertTrue(parsed(res).contains("\"grpc_tls\":false"), "the agent ignores TINKERBELL_TLS=yes too");
        }
    }

    @Test
    void theEnvFileTheSetupWritesGivesTheAgentEveryKeyOfTheCommandLine() throws Exception {
        ScriptRun.Result setup;
        Path envFile;
        Path setupDir = Files.createDirectories(dir.resolve("setup"));
        try (ScriptRun s = new ScriptRun(
                setupDir,
                "tink_worker_image=10.0.2.2:5000/tink-agent:v1"
                        + " docker_registry=10.0.2.2:5000 registry_username=admin registry_password=pa$$w\\rd"
                        + " grpc_authority=tink.example:42113 worker_id=52:54:00:12:34:56 tinkerbell_tls=1"
                        + " HTTPS_PROXY=http://proxy:3128 syslog_host=10.0.2.2 facility=local3")) {
            s.containerdSocket().fakeCtr();
            Files.createDirectories(s.image.resolve("usr/bin"));
            Files.writeString(s.image.resolve("usr/bin/tink-agent"), "x");
            setup = s.run("tink-agent-setup");
            envFile = s.root.resolve("etc/tink-agent.env");
        }
        assertEquals(0, setup.exit(), setup.stderr());
        Map<String, String> env = environmentFile(Files.readAllLines(envFile));
        assertEquals("pa$$w\\rd", env.get("REGISTRY_PASSWORD"));
        assertFalse(
                env.containsKey("FACILITY") || env.containsKey("SYSLOG_HOST"),
                "nothing syslog-related reaches the agent: " + env.keySet());
        try (ScriptRun r = runner(env)) {
            ScriptRun.Result res = r.run("tink-agent-run");
            assertEquals(0, res.exit(), res.stderr());
            String json = parsed(res);
            for (String field : List.of(
                    "\"id\":\"52:54:00:12:34:56\"",
                    "\"grpc_server\":\"tink.example:42113\"",
                    "\"grpc_tls\":true",
                    "\"registry_name\":\"10.0.2.2:5000\"",
                    "\"registry_user\":\"admin\"",
                    "\"registry_pass\":\"set\"")) {
                assertTrue(json.contains(field), field + " in " + json);
            }
        }
    }

    /** systemd's EnvironmentFile syntax as the setup writes it: KEY="value" with \\, \" and \$ escaped. */
    private static Map<String, String> environmentFile(List<String> lines) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : lines) {
            int eq = line.indexOf('=');
            String raw = line.substring(eq + 1);
            assertTrue(raw.startsWith("\"") && raw.endsWith("\""), line);
            StringBuilder v = new StringBuilder();
            for (int i = 1; i < raw.length() - 1; i++) {
                char c = raw.charAt(i);
                v.append(c == '\\' ? raw.charAt(++i) : c);
            }
            env.put(line.substring(0, eq), v.toString());
        }
        return env;
    }

    @Test
    void theStandinRefusesTheCommandLinesTheRealAgentRefuses() throws Exception {
        // The command line the OS used to start the agent with: the first unknown flag ends it.
        Run old = standin(
                List.of(
                        "--runtime",
                        "containerd",
                        "--containerd-address",
                        "/run/containerd/containerd.sock",
                        "--tink-server-addr-port",
                        "10.0.2.2:42113"),
                Map.of());
        assertEquals(1, old.exit());
        assertTrue(old.stderr().contains("flag provided but not defined: -containerd-address"), old.stderr());
        Run spaced = standin(List.of("-grpc-tls", "false", "-id", "x"), Map.of());
        assertEquals(1, spaced.exit(), "a boolean's value must be joined with '='");
        assertTrue(spaced.stderr().contains("stray argument \"false\""), spaced.stderr());
        Run missing = standin(List.of("-runtime", "containerd", "-id"), Map.of());
        assertEquals(1, missing.exit());
        assertTrue(missing.stderr().contains("flag needs an argument: -id"), missing.stderr());
        Run runtime = standin(List.of("-runtime", "podman"), Map.of());
        assertEquals(1, runtime.exit());
        assertTrue(runtime.stderr().contains("must be one of [docker, containerd, kubernetes]"), runtime.stderr());
        Run badEnv = standin(List.of(), Map.of("AGENT_GRPC_TLS", "maybe"));
        assertEquals(1, badEnv.exit(), "an AGENT_ variable the flag cannot take ends the agent");
        assertTrue(badEnv.stderr().contains("AGENT_GRPC_TLS=\"maybe\""), badEnv.stderr());
        assertEquals(1, standin(List.of("-help"), Map.of()).exit());
    }

    @Test
    void theStandinReadsTheEnvironmentInTheRealAgentsOrder() throws Exception {
        // AGENT_<FLAG> fills a flag the command line did not give; the flag wins when both are there.
        Run env = standin(
                List.of("--grpc-server", "1.1.1.1:1"),
                Map.of("AGENT_GRPC_SERVER", "2.2.2.2:2", "AGENT_ID", "from-agent-id", "AGENT_GRPC_TLS", "true"));
        assertEquals(0, env.exit(), env.stderr());
        assertTrue(
                env.stdout().contains("\"grpc_server\":\"1.1.1.1:1\"")
                        && env.stdout().contains("\"id\":\"from-agent-id\"")
                        && env.stdout().contains("\"grpc_tls\":true"),
                env.stdout());
        // The legacy variables are applied after parsing, over flags, when not empty; a bad boolean is ignored.
        Run legacy = standin(
                List.of("-id", "from-flag", "-grpc-tls=true"),
                Map.of(
                        "WORKER_ID",
                        "from-legacy",
                        "TINKERBELL_TLS",
                        "nope",
                        "TINKERBELL_GRPC_AUTHORITY",
                        "3.3.3.3:3",
                        "DOCKER_REGISTRY",
                        ""));
        assertEquals(0, legacy.exit(), legacy.stderr());
        assertTrue(
                legacy.stdout().contains("\"id\":\"from-legacy\"")
                        && legacy.stdout().contains("\"grpc_tls\":true")
                        && legacy.stdout().contains("\"grpc_server\":\"3.3.3.3:3\"")
                        && legacy.stdout().contains("\"registry_name\":\"\""),
                legacy.stdout());
    }
}
