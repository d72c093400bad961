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

/** The command line library, the agent's start script and the syslog forwarding rule. */
class BootScriptsTest {
    @TempDir
    Path dir;

    /** Runs a bash snippet with lib.sh loaded against a command line; returns its output. */
    private String lib(String cmdline, String snippet) throws Exception {
        try (ScriptRun r = new ScriptRun(dir, cmdline)) {
            Path script = dir.resolve("snippet.sh");
            Files.writeString(script, "set -eu\n. \"$CAPTAIN_LIB\"\n" + snippet + "\n");
            ProcessBuilder pb = new ProcessBuilder("/bin/bash", script.toString());
            pb.environment().put("CAPTAIN_CMDLINE", dir.resolve("cmdline").toString());
            pb.environment().put("CAPTAIN_LIB", ScriptRun.LIBEXEC.resolve("lib.sh").toString());
            Process p = pb.redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertEquals(0, p.waitFor(), out);
            return out;
        }
    }

    @Test
    void cmdlineValuesKeepEqualsAndColonsAndTheLastOneWins() throws Exception {
        String c = "a=1 pw=x=y:z:: xsyslog_host=no syslog_host=1.2.3.4 syslog_host=5.6.7.8 empty= flag";
        assertEquals("x=y:z::", lib(c, "cmdline_get pw"));
        assertEquals("5.6.7.8", lib(c, "cmdline_get syslog_host"));
        assertEquals("", lib(c, "cmdline_get empty"));
        assertEquals("", lib(c, "cmdline_get missing"));
        assertEquals("yes", lib(c, "cmdline_has flag && echo -n yes"));
        assertEquals("no", lib(c, "cmdline_has syslog || echo -n no"));
    }

    @Test
    void doubleQuotesGroupWordsLikeTheKernelDoes() throws Exception {
        assertEquals("a b  c", lib("x=1 msg=\"a b  c\" y=2", "cmdline_get msg"));
        assertEquals("2", lib("x=1 msg=\"a b  c\" y=2", "cmdline_get y"));
    }

    @Test
    void logLinesEscapeQuotesBackslashesAndNewlines() throws Exception {
        String out = lib("", "LOG_COMPONENT=test log warn 'say \"hi\"' path 'C:\\x' lines $'a\\nb'");
        assertTrue(out.matches("\\{\"time\":\"[0-9TZ:-]+\",\"level\":\"warn\",\"component\":\"test\","
                + "\"msg\":\"say \\\\\"hi\\\\\"\",\"path\":\"C:\\\\\\\\x\",\"lines\":\"a\\\\nb\"\\}\n"), out);
    }

    @Test
    void theAgentGetsAFlagForEachSetValueAndTheRuntimeAndTransport() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            Path agent = dir.resolve("agent");
            Files.writeString(agent, "#!/bin/bash\nprintf '%s\\n' \"$@\" > \"" + dir.resolve("args") + "\"\n");
            Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwxr-xr-x"));
            r.env("CAPTAIN_AGENT", agent.toString()).env("GRPC_AUTHORITY", "10.0.2.2:42113")
                    .env("WORKER_ID", "52:54:00:12:34:56").env("TINKERBELL_TLS", "true")
                    .env("REGISTRY_PASSWORD", "s3cret").env("FACILITY", "local3").env("SYSLOG_HOST", "10.0.2.2")
                    .env("TINKERBELL_INSECURE_TLS", "");
            ScriptRun.Result res = r.run("tink-agent-run").assertJsonLines();
            assertEquals(0, res.exit(), res.stderr());
            List<String> args = Files.readAllLines(dir.resolve("args"));
            assertEquals(List.of("--runtime", "containerd", "--containerd-address", "/run/containerd/containerd.sock",
                    "--containerd-namespace", "tinkerbell", "--transport", "grpc",
                    "--tink-server-addr-port", "10.0.2.2:42113", "--tink-server-tls", "true",
                    "--id", "52:54:00:12:34:56", "--registry-password", "s3cret", "--syslog-host", "10.0.2.2",
                    "--syslog-facility", "local3"), args);
            assertTrue(res.logged("info", "--registry-password ***"), "the password is not logged");
            assertFalse(String.join("\n", res.stdout()).contains("s3cret"));
        }
    }

    @Test
    void theAgentStartFailsClearlyWithoutTheBinary() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            ScriptRun.Result res = r.env("CAPTAIN_AGENT", dir.resolve("none").toString()).run("tink-agent-run");
            assertEquals(1, res.exit());
            assertTrue(res.logged("error", "tink-agent-setup has not finished"));
        }
    }

    @Test
    void syslogForwardingFollowsTheCommandLine() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=10.0.2.2 syslog_port=5514")) {
            assertEquals(0, r.run("syslog-forward").assertJsonLines().exit());
            String conf = Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf"));
            assertTrue(conf.contains("target=\"10.0.2.2\" port=\"5514\" protocol=\"udp\""), conf);
            assertTrue(conf.contains("RSYSLOG_SyslogProtocol23Format"), "RFC 5424");
        }
    }

    @Test
    void syslogDefaultsToPort514AndRejectsABadPort() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=logs.example syslog_port=99999")) {
            ScriptRun.Result res = r.run("syslog-forward").assertJsonLines();
            assertEquals(0, res.exit());
            assertTrue(res.logged("error", "ignoring syslog_port"));
            assertTrue(Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf")).contains("port=\"514\""));
        }
    }

    @Test
    void withoutSyslogHostNothingIsForwarded() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_port=5514")) {
            Path conf = r.root.resolve("run/captainos/rsyslog.d/forward.conf");
            Files.createDirectories(conf.getParent());
            Files.writeString(conf, "stale");
            assertEquals(0, r.run("syslog-forward").exit());
            assertFalse(Files.exists(conf), "a stale rule is removed");
        }
    }
}
