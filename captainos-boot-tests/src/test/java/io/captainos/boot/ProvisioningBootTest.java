package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioning flow end to end: a real registry on loopback serves a stand-in agent image (its
 * {@code usr/bin/tink-agent} prints its arguments and environment and stays up), a UDP listener stands in for the
 * syslog server, and the guest boots with the tink keys pointing at them (10.0.2.2 is the host's loopback).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvisioningBootTest {
    private static final String AGENT = """
            #!/bin/sh
            echo "STANDIN-AGENT args: $*"
            env | grep -E '^(TINK|DOCKER|REGISTRY|GRPC|WORKER|SYSLOG|FACILITY|INSECURE)' | sort | sed 's/^/STANDIN-AGENT env: /'
            logger -t tink-agent "STANDIN-AGENT says hello over syslog"
            while true; do sleep 3600; done
            """;

    @TempDir
    static Path dir;
    private static Registry registry;
    private static SyslogListener syslog;
    private static Guest guest;
    private static String digest;

    @BeforeAll
    static void boot() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Registry.BINARY), "docker-registry is not installed: install"
                + " the docker-registry package to run the provisioning boot test");
        registry = Registry.start(dir.resolve("registry"));
        digest = registry.pushImage("tinkerbell/tink-agent", "v1", Guest.arch().debian(),
                Map.of("usr/bin/tink-agent", AGENT));
        syslog = new SyslogListener();
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("tink_worker_image", "10.0.2.2:" + registry.port + "/tinkerbell/tink-agent:v1");
        keys.put("insecure_registries", "10.0.2.2:" + registry.port);
        keys.put("grpc_authority", "10.0.2.2:42113");
        keys.put("worker_id", "52:54:00:12:34:56");
        keys.put("tinkerbell_tls", "false");
        keys.put("syslog_host", "10.0.2.2");
        keys.put("syslog_port", Integer.toString(syslog.port()));
        keys.put("facility", "local3");
        String append = KernelCommandLine.build(Guest.arch(), keys, "", "");
        guest = Guest.boot("provisioning-" + Guest.arch().linux(), QemuMachine.Spec.kernel(Guest.arch(),
                Guest.artifact("vmlinuz"), Guest.artifact("initramfs"), append, 2048, Guest.CPUS)).loggedIn();
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
        if (syslog != null) {
            syslog.close();
        }
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void theAgentRunsOnTheHostWithTheExpectedFlags() throws Exception {
        Matcher args = guest.machine.expectLine(Pattern.compile("STANDIN-AGENT args: (.*)$"), 0, Guest.BOOT);
        String flags = args.group(1);
        for (String expected : List.of("--runtime containerd", "--transport grpc",
                "--tink-server-addr-port 10.0.2.2:42113", "--tink-server-tls false", "--id 52:54:00:12:34:56",
                "--syslog-host 10.0.2.2", "--syslog-port " + syslog.port(), "--syslog-facility local3")) {
            assertTrue(flags.contains(expected), "missing '" + expected + "' in: " + flags);
        }
        assertEquals("active", guest.sh1("systemctl is-active tink-agent"));
        String pid = guest.sh1("systemctl show -p MainPID --value tink-agent");
        assertEquals("/tink-agent", guest.sh1("tr '\\0' ' ' < /proc/" + pid + "/cmdline | cut -d' ' -f2"),
                "the agent is the unit's main process on the host, started as /tink-agent");
        assertEquals(guest.sh1("readlink /proc/1/ns/mnt"), guest.sh1("readlink /proc/" + pid + "/ns/mnt"),
                "the agent shares the host's mount namespace: not in a container");
    }

    @Test
    @Order(2)
    void theSetupPulledTheImageAndWroteTheEnvFile() throws Exception {
        assertEquals("active", guest.sh1("systemctl is-active containerd"));
        assertEquals("600", guest.sh1("stat -c %a /etc/tink-agent.env"));
        List<String> env = guest.sh("cat /etc/tink-agent.env");
        assertTrue(env.contains("FACILITY=\"local3\"") && env.contains("WORKER_ID=\"52:54:00:12:34:56\""), env.toString());
        List<String> images = guest.sh("ctr -n tinkerbell images ls");
        assertTrue(images.stream().anyMatch(l -> l.contains("tinkerbell/tink-agent:v1") && l.contains(digest)),
                images.toString());
        List<String> journal = guest.sh("journalctl -b -u tink-agent-setup -o cat --no-pager");
        assertTrue(journal.stream().anyMatch(l -> l.startsWith("{") && l.contains("\"msg\":\"agent image pulled\"")),
                journal.toString());
        assertTrue(Files.readString(dir.resolve("registry/registry.log")).contains("tinkerbell/tink-agent"),
                "the registry served the pull");
    }

    @Test
    @Order(3)
    void theSyslogServerReceivesTheAgentsLines() throws Exception {
        String line = syslog.await("STANDIN-AGENT", 120_000);
        assertNotNull(line, "no agent line reached the syslog listener; received: " + syslog.messages());
        assertTrue(line.startsWith("<") && line.matches("(?s)<\\d+>1 .*"), "RFC 5424: " + line);
    }
}
