package io.captainos.os;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
            pb.environment()
                    .put("CAPTAIN_LIB", ScriptRun.LIBEXEC.resolve("lib.sh").toString());
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
    void allKeysAtOnceGiveWhatEachLookupGives() throws Exception {
        String c = "a=1 pw=x=y:z:: xsyslog_host=no syslog_host=1.2.3.4 syslog_host=5.6.7.8 empty= flag";
        assertEquals(
                "1|x=y:z::|5.6.7.8|||",
                lib(
                        c,
                        "declare -A v; cmdline_into v a pw syslog_host empty missing flag;"
                                + " printf '%s|' \"${v[a]}\" \"${v[pw]}\" \"${v[syslog_host]}\" \"${v[empty]}\" \"${v[missing]}\";"
                                + " printf '%s' \"${v[flag]}\"; [ ${#v[@]} -eq 6 ]"));
    }

    @Test
    void doubleQuotesGroupWordsLikeTheKernelDoes() throws Exception {
        assertEquals("a b  c", lib("x=1 msg=\"a b  c\" y=2", "cmdline_get msg"));
        assertEquals("2", lib("x=1 msg=\"a b  c\" y=2", "cmdline_get y"));
    }

    @Test
    void logLinesEscapeQuotesBackslashesAndNewlines() throws Exception {
        String out = lib("", "LOG_COMPONENT=test log warn 'say \"hi\"' path 'C:\\x' lines $'a\\nb'");
        assertTrue(
                out.matches("\\{\"time\":\"[0-9TZ:-]+\",\"level\":\"warn\",\"component\":\"test\","
                        + "\"msg\":\"say \\\\\"hi\\\\\"\",\"path\":\"C:\\\\\\\\x\",\"lines\":\"a\\\\nb\"\\}\n"),
                out);
    }

    @Test
    void aLogLineStartsNoProgramAndCarriesTheTimeInUtc() throws Exception {
        long before = Instant.now().getEpochSecond();
        // No PATH and a zone far from UTC: a line that needed date(1) or the local zone would fail or be off.
        String out = lib("", "PATH=/nonexistent; export TZ=Asia/Tokyo; LOG_COMPONENT=test log info hi key value");
        long after = Instant.now().getEpochSecond();
        Matcher m = Pattern.compile(
                        "\\{\"time\":\"([0-9TZ:-]+)\",\"level\":\"info\",\"component\":\"test\",\"msg\":\"hi\","
                                + "\"key\":\"value\"\\}\n")
                .matcher(out);
        assertTrue(m.matches(), out);
        long logged = Instant.parse(m.group(1)).getEpochSecond();
        assertTrue(logged >= before - 1 && logged <= after + 1, "logged " + m.group(1) + ", now " + after);
    }

    @Test
    void theAgentStartFailsClearlyWithoutTheBinary() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            ScriptRun.Result res =
                    r.env("CAPTAIN_AGENT", dir.resolve("none").toString()).run("tink-agent-run");
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
            assertFalse(conf.contains("$.pri"), "without facility the records keep their own");
        }
    }

    @Test
    void theFacilityOnTheCommandLineSetsThePriorityOfTheForwardedRecords() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=10.0.2.2 facility=local3")) {
            assertEquals(0, r.run("syslog-forward").assertJsonLines().exit());
            String conf = Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf"));
            assertTrue(conf.contains("set $.pri = 152 + $syslogseverity;"), "local3 is facility 19: " + conf);
            assertTrue(conf.contains("string=\"<%$.pri%>1 %TIMESTAMP:::date-rfc3339% %HOSTNAME%"), conf);
            assertTrue(conf.contains("template=\"captainos-forward\""), conf);
        }
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=10.0.2.2 facility=7")) {
            assertEquals(0, r.run("syslog-forward").exit());
            assertTrue(Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf"))
                    .contains("set $.pri = 56 + $syslogseverity;"));
        }
    }

    @Test
    void aFacilityThatIsNoFacilityIsLoggedAndIgnored() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=10.0.2.2 facility=local9")) {
            ScriptRun.Result res = r.run("syslog-forward").assertJsonLines();
            assertEquals(0, res.exit());
            assertTrue(res.logged("error", "ignoring facility"), res.stdout().toString());
            String conf = Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf"));
            assertTrue(conf.contains("RSYSLOG_SyslogProtocol23Format") && !conf.contains("$.pri"), conf);
        }
    }

    @Test
    void syslogDefaultsToPort514AndRejectsABadPort() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "syslog_host=logs.example syslog_port=99999")) {
            ScriptRun.Result res = r.run("syslog-forward").assertJsonLines();
            assertEquals(0, res.exit());
            assertTrue(res.logged("error", "ignoring syslog_port"));
            assertTrue(Files.readString(r.root.resolve("run/captainos/rsyslog.d/forward.conf"))
                    .contains("port=\"514\""));
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

    /**
     * A sysfs device folder with the given attribute files; "driver" becomes a link to the bus's folder of the driver
     * it names, as the kernel makes it for a bound device.
     */
    private static void device(Path d, String... attributes) throws Exception {
        Files.createDirectories(d);
        for (int i = 0; i < attributes.length; i += 2) {
            if (attributes[i].equals("driver")) {
                Path driver =
                        d.resolve("../../drivers").resolve(attributes[i + 1]).normalize();
                Files.createSymbolicLink(d.resolve("driver"), Files.createDirectories(driver));
            } else {
                Files.writeString(d.resolve(attributes[i]), attributes[i + 1] + "\n");
            }
        }
    }

    /** A modprobe that records its arguments and fails, as for an alias no module serves. */
    private static void failingModprobe(ScriptRun r) throws Exception {
        r.program("modprobe", "printf 'modprobe %s\\n' \"$*\" >> \"$FAKE_CALLS\"\nexit 1\n");
    }

    @Test
    void theNicDriversAreLoadedForUnboundNetworkControllersOnly() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            Path sys = dir.resolve("sys");
            Path pci = sys.resolve("bus/pci/devices");
            device(
                    pci.resolve("0000:00:03.0"),
                    "class",
                    "0x020000",
                    "modalias",
                    "pci:v00008086d000010D3sv1sd2bc02sc00i00");
            device(pci.resolve("0000:00:04.0"), "class", "0x010802", "modalias", "pci:v0000144Dd0000A808bc01sc08i02");
            device(
                    pci.resolve("0000:00:05.0"),
                    "class",
                    "0x020000",
                    "modalias",
                    "pci:v000015B3d00001017bc02",
                    "driver",
                    "mlx5_core");
            device(pci.resolve("0000:00:06.0"), "class", "0x028000", "modalias", "pci:v000015B3d0000101Bbc02sc80i00");
            Path virtio = sys.resolve("bus/virtio/devices");
            device(virtio.resolve("virtio0"), "modalias", "virtio:d00000001v00001AF4");
            device(virtio.resolve("virtio1"), "modalias", "virtio:d00000002v00001AF4");
            failingModprobe(r.env("CAPTAIN_SYSFS", sys.toString()));
            ScriptRun.Result res = r.run("/bin/sh", "nic-drivers");
            assertEquals(0, res.exit(), res.stderr());
            assertEquals(
                    List.of(
                            "network drivers for: pci:v00008086d000010D3sv1sd2bc02sc00i00"
                                    + " pci:v000015B3d0000101Bbc02sc80i00",
                            "network drivers for: virtio:d00000001v00001AF4"),
                    res.stdout(),
                    "what /init logs");
            assertEquals(
                    List.of(
                            "modprobe -q -b -a pci:v00008086d000010D3sv1sd2bc02sc00i00 pci:v000015B3d0000101Bbc02sc80i00",
                            "modprobe -q -b -a virtio:d00000001v00001AF4"),
                    r.calls(),
                    "the Ethernet and other network controllers without a driver, then the virtio NIC; a failed load"
                            + " is left to udev");
        }
    }

    @Test
    void withoutNetworkControllersNothingIsLoaded() throws Exception {
        try (ScriptRun r = new ScriptRun(dir, "")) {
            Path sys = dir.resolve("sys");
            device(
                    sys.resolve("bus/pci/devices/0000:00:01.1"),
                    "class",
                    "0x010180",
                    "modalias",
                    "pci:v00008086d00007010");
            failingModprobe(r.env("CAPTAIN_SYSFS", sys.toString()));
            ScriptRun.Result res = r.run("/bin/sh", "nic-drivers");
            assertEquals(0, res.exit());
            assertEquals(List.of(), res.stdout());
            assertEquals(List.of(), r.calls());
        }
    }
}
