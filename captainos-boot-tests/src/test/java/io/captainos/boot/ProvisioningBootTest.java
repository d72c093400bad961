package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.BuildLog;
import io.captainos.core.fetch.Sha256;
import io.captainos.core.oci.ArtifactImages.NamedFile;
import io.captainos.core.oci.Json;
import io.captainos.core.oci.LocalRegistry;
import io.captainos.core.oci.OciLayout;
import io.captainos.core.oci.OciTransfer;
import io.captainos.core.oci.RegistryClient;
import io.captainos.core.oci.ReleaseImages;
import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provisioning flow end to end, with the stand-in agent as strict as the real one:
 * <ul>
 * <li>a real registry behind a password serves the agent image (the stand-in, compiled for the guest's arch), which
 * the setup pulls with the credentials of the command line;</li>
 * <li>a second, open registry serves the actions: an image made here from Debian's busybox-static;</li>
 * <li>a listener stands in for the tink server: the agent connects to it with what it parsed, gets one action
 * (write a pattern to the machine's second disk) and runs it through the guest's containerd as the real agent's
 * containerd runtime does, privileged, with the host's devices and network;</li>
 * <li>a UDP listener stands in for the syslog server.</li>
 * </ul>
 * The guest reaches the host's loopback as 10.0.2.2.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvisioningBootTest {
    private static final String WORKER = AgentRig.WORKER;

    @TempDir
    static Path dir;

    private static AgentRig rig;
    private static Registry actions;
    private static SyslogListener syslog;
    private static Guest guest;
    private static String pattern;
    private static Path disk;

    /** One action as the tink server hands it out: write {@code pattern} at the start of {@code device}. */
    static String writePatternAction(Registry registry, String device, String pattern) throws Exception {
        registry.pushImage(
                "actions/write-pattern",
                "v1",
                Guest.arch().debian(),
                ActionImage.files(Guest.arch(), dir.resolve("debian")));
        Map<String, Object> action = new TreeMap<>();
        action.put("id", "write-pattern");
        action.put("image", registry.fromGuest() + "/actions/write-pattern:v1");
        action.put("env", Map.of("DEST_DISK", device, "PATTERN", pattern));
        action.put(
                "cmd",
                List.of(
                        "/bin/busybox",
                        "sh",
                        "-c",
                        "printf %s \"$PATTERN\" | /bin/busybox dd of=\"$DEST_DISK\" conv=notrunc,fsync 2>&1 && echo written"));
        return new String(Json.bytes(action), StandardCharsets.UTF_8);
    }

    @BeforeAll
    static void boot() throws Exception {
        actions = Registry.start(dir.resolve("actions"));
        pattern = "CAPTAINOS-ACTION-"
                + Sha256.of(dir.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
        rig = AgentRig.start(dir, true, List.of(writePatternAction(actions, "/dev/vda", pattern)));
        syslog = new SyslogListener();
        disk = dir.resolve("disk.img");
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "rw")) {
            f.setLength(64L << 20);
        }
        Map<String, String> keys = new LinkedHashMap<>(rig.keys());
        keys.put("docker_registry", actions.fromGuest());
        keys.put("insecure_registries", rig.registry.fromGuest() + "," + actions.fromGuest());
        keys.put("syslog_host", "10.0.2.2");
        keys.put("syslog_port", Integer.toString(syslog.port()));
        keys.put("facility", "local3");
        List<String> extra = new ArrayList<>(QemuMachine.Spec.userNetwork());
        extra.addAll(List.of("-drive", "file=" + disk + ",if=virtio,format=raw"));
        QemuMachine.Spec spec = new QemuMachine.Spec(
                Guest.arch(),
                Guest.artifact("vmlinuz"),
                Guest.artifact("initramfs"),
                KernelCommandLine.build(Guest.arch(), keys, "", ""),
                null,
                false,
                3072,
                Guest.CPUS,
                extra);
        guest = Guest.boot("provisioning-" + Guest.arch().linux(), spec);
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[] {guest, rig, syslog, actions}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // closing
            }
        }
    }

    @Test
    @Order(1)
    void theAgentConnectsToTheTinkServerWithWhatItParsed() throws Exception {
        String hello = rig.awaitAgent(guest, Guest.BOOT);
        for (String field : List.of(
                "\"registry_name\":\"" + actions.fromGuest() + "\"",
                "\"registry_user\":\"captain\"",
                "\"registry_pass\":\"set\"")) {
            assertTrue(hello.contains(field), field + " in " + hello);
        }
        guest.loggedIn();
    }

    @Test
    @Order(2)
    void theActionWroteItsPatternToTheSecondDisk() throws Exception {
        String result = rig.tink.awaitResult(Guest.BOOT);
        assertNotNull(result, "the action reported no result");
        assertTrue(result.contains("\"exit\":0") && result.contains("written"), result);
        Matcher s = Pattern.compile("\"seconds\":([0-9.]+)").matcher(result);
        assertTrue(s.find(), result);
        System.out.println("action pulled and run in " + s.group(1) + " s");
        byte[] head = new byte[pattern.length()];
        try (RandomAccessFile f = new RandomAccessFile(disk.toFile(), "r")) {
            f.readFully(head);
        }
        assertArrayEquals(pattern.getBytes(StandardCharsets.US_ASCII), head, "the pattern is at the start of disk.img");
        assertTrue(actions.log().contains("actions/write-pattern"), "the action came from the actions registry");
        // udev still names the disk as workflow templates find it (persistent storage links).
        assertEquals(
                "/dev/vda",
                guest.sh1("for l in /dev/disk/by-path/* /dev/disk/by-diskseq/*; do readlink -f $l; done"
                        + " | grep -x /dev/vda | sort -u"));
    }

    @Test
    @Order(3)
    void theAgentRunsOnTheHostWithExactlyTheRealFlags() throws Exception {
        assertEquals("active", guest.sh1("systemctl is-active tink-agent"));
        String pid = guest.sh1("systemctl show -p MainPID --value tink-agent");
        List<String> argv = guest.sh("tr '\\0' '\\n' < /proc/" + pid + "/cmdline");
        assertEquals(
                List.of(
                        "/tink-agent",
                        "-runtime",
                        "containerd",
                        "-containerd-socket",
                        "/run/containerd/containerd.sock",
                        "-containerd-namespace",
                        "tinkerbell",
                        "-transport",
                        "grpc",
                        "-grpc-server",
                        "10.0.2.2:" + rig.tink.port,
                        "-grpc-tls=false",
                        "-grpc-insecure-tls=false",
                        "-id",
                        WORKER,
                        "-registry-name",
                        actions.fromGuest(),
                        "-registry-user",
                        "captain",
                        "0"),
                argv);
        System.out.println("agent argv: " + String.join(" ", argv.subList(0, argv.size() - 1)));
        assertEquals(
                guest.sh1("readlink /proc/1/ns/mnt"),
                guest.sh1("readlink /proc/" + pid + "/ns/mnt"),
                "the agent shares the host's mount namespace: not in a container");
        assertEquals(
                "1",
                guest.sh1("tr '\\0' '\\n' < /proc/" + pid + "/environ | grep -c '^REGISTRY_PASSWORD='"),
                "the password reaches the agent through its environment");
    }

    @Test
    @Order(4)
    void theSetupPulledWithTheCredentialsAndWroteTheEnvFile() throws Exception {
        assertEquals("600", guest.sh1("stat -c %a /etc/tink-agent.env"));
        List<String> env = guest.sh("cat /etc/tink-agent.env");
        assertEquals(
                List.of(
                        "TINKERBELL_GRPC_AUTHORITY=\"10.0.2.2:" + rig.tink.port + "\"",
                        "WORKER_ID=\"" + WORKER + "\"",
                        "TINKERBELL_TLS=\"false\"",
                        "TINKERBELL_INSECURE_TLS=\"false\"",
                        "DOCKER_REGISTRY=\"" + actions.fromGuest() + "\"",
                        "REGISTRY_USERNAME=\"captain\"",
                        "REGISTRY_PASSWORD=\"" + LocalRegistry.PASSWORD + "\"",
                        "0"),
                env);
        List<String> images = guest.sh("ctr -n tinkerbell images ls");
        assertTrue(
                images.stream().anyMatch(l -> l.contains("tinkerbell/tink-agent:v1") && l.contains(rig.agentDigest)),
                images.toString());
        List<String> journal = guest.sh("journalctl -b -u tink-agent-setup -o cat --no-pager");
        assertTrue(
                journal.stream().anyMatch(l -> l.startsWith("{") && l.contains("\"msg\":\"agent image pulled\"")),
                journal.toString());
        // containerd built from this build's main is the setup's one-run client too; Debian's leaves it to ctr.
        String client = guest.sh1(
                "grep -qE '^usr/local/bin/ctr[[:space:]].*[+]containerd/main[.]go@' /usr/share/captainos/tools.manifest"
                        + " && echo agent-image || echo ctr");
        assertTrue(
                journal.stream()
                        .anyMatch(l -> l.contains("\"msg\":\"agent image pulled\"")
                                && l.contains("\"client\":\"" + client + "\"")),
                "the setup pulled with " + client + ": " + journal);
        // what the client mounted and the read-only view it made are gone once the agent is out
        assertEquals("0", guest.sh1("grep -c -e ' /tmp/agent-image[.]' -e ' /tmp/tink-agent-image[.]' /proc/mounts"));
        assertEquals("0", guest.sh1("ctr -n tinkerbell snapshots ls | grep -c -w View"));
        assertTrue(rig.registry.log().contains("tinkerbell/tink-agent"), "the registry served the pull");
    }

    @Test
    @Order(5)
    void noProcessEverHasThePasswordOnItsCommandLine() throws Exception {
        // Pull the agent again with every process's command line sampled meanwhile.
        List<String> out = guest.sh("ctr -n tinkerbell images rm " + rig.image()
                + " > /dev/null; (while :; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\0' '\\n'; done"
                + " > /tmp/cmdlines) & sampler=$!; /usr/libexec/captainos/tink-agent-setup > /tmp/setup.log;"
                + " kill $sampler; grep -c -- '^--user$' /tmp/cmdlines; grep -c -F '" + LocalRegistry.PASSWORD
                + "' /tmp/cmdlines; grep -c 'agent image pulled' /tmp/setup.log");
        assertTrue(Integer.parseInt(out.get(0)) > 0, "the sampler saw ctr pulling with --user: " + out);
        assertEquals("0", out.get(1), "the password was on a command line");
        assertEquals("1", out.get(2), "the setup pulled again: " + out);
    }

    @Test
    @Order(6)
    void theSyslogServerReceivesTheAgentsLinesWithTheFacilityAsked() throws Exception {
        String line = syslog.await("standin", 120_000);
        assertNotNull(line, "no agent line reached the syslog listener; received: " + syslog.messages());
        Matcher m = Pattern.compile("(?s)<(\\d+)>1 .*").matcher(line);
        assertTrue(m.matches(), "RFC 5424: " + line);
        assertEquals(19, Integer.parseInt(m.group(1)) / 8, "facility local3 (19): " + line);
    }

    @Test
    @Order(7)
    void theGuestsContainerdPullsThisBuildsReleaseImageAndItsFilesAreOut() throws Exception {
        Path layoutDir = Path.of(System.getProperty("captain.boot.release", "../captainos-release/target/oci-layout"));
        assertTrue(
                Files.isDirectory(layoutDir),
                "no release image layout at " + layoutDir + ": build captainos-release before the boot tests");
        OciLayout layout = OciLayout.open(layoutDir);
        String suffix = "-" + Guest.arch().debian();
        String tag = layout.tags().keySet().stream()
                .filter(t -> t.endsWith(suffix))
                .findFirst()
                .orElseThrow(() -> new AssertionError(
                        "no " + suffix + " image in " + layout.tags().keySet()));
        RegistryClient client = new RegistryClient(
                "127.0.0.1:" + actions.port,
                "captain/artifacts",
                null,
                RegistryClient.Options.defaults(),
                BuildLog.silent());
        OciTransfer.push(layout, tag, client, tag, List.of());
        String ref = actions.fromGuest() + "/captain/artifacts:" + tag;
        List<String> sums = guest.sh("ctr -n tinkerbell images pull --hosts-dir /etc/containerd/certs.d " + ref
                + " > /dev/null && m=$(mktemp -d) && ctr -n tinkerbell images mount --rw=false " + ref
                + " $m > /dev/null"
                + " && (cd $m && sha256sum *); ctr -n tinkerbell images unmount --rm $m > /dev/null");
        assertEquals("0", sums.get(sums.size() - 1), sums.toString());
        Path out = Path.of(System.getProperty("captain.boot.out", "../out"));
        List<NamedFile> expected = ReleaseImages.fromOut(out, Guest.arch(), null);
        assertNotNull(expected, "no " + Guest.arch().linux() + " files in " + out);
        Map<String, String> inGuest = new TreeMap<>();
        for (String l : sums.subList(0, sums.size() - 1)) {
            // ctr's own log lines (e.g. that it tries HTTPS before plain HTTP) are not sums.
            if (l.matches("[0-9a-f]{64}  .+")) {
                inGuest.put(l.substring(66), l.substring(0, 64));
            }
        }
        Map<String, String> onHost = new TreeMap<>();
        for (NamedFile f : expected) {
            onHost.put(f.name(), Sha256.of(f.path()));
        }
        assertEquals(onHost, inGuest, "the image's files in the guest are out/ byte for byte");
        assertFalse(onHost.isEmpty());
    }

    @Test
    @Order(8)
    void aContainerOnTheCniBridgeGetsAnAddressAndIptablesNftMasquerades() throws Exception {
        // Actions run on the host network, as the agent runs them; a container on containerd's CNI network proves
        // the bundled plugins and the kernel's nf_tables through iptables-nft work too.
        String image = actions.fromGuest() + "/actions/write-pattern:v1";
        String ctr = "ctr -n tinkerbell ";
        List<String> out = guest.sh(ctr + "run -d --cni " + image + " cni-check /bin/busybox sleep 300 > /dev/null;"
                + " sleep 2; " + ctr + "task exec --exec-id ip cni-check /bin/busybox ip -4 addr show eth0;"
                + " echo rc=$?; iptables -V; echo masq=$(iptables -t nat -S POSTROUTING | grep -c CNI-); "
                + ctr + "task kill -s KILL cni-check; sleep 1; " + ctr + "task rm cni-check > /dev/null; "
                + ctr + "containers rm cni-check");
        String all = String.join("\n", out);
        assertTrue(all.matches("(?s).*inet 10\\.88\\.[01]\\.\\d+/23.*"), "an address on the bridge: " + all);
        assertTrue(out.contains("rc=0"), all);
        assertTrue(out.stream().anyMatch(l -> l.startsWith("iptables v") && l.contains("nf_tables")), all);
        assertTrue(out.stream().anyMatch(l -> l.matches("masq=[1-9]\\d*")), "the bridge plugin's NAT rules: " + all);
        assertEquals("0", out.get(out.size() - 1), "the container was removed: " + all);
    }

    /** Without sshd=1 or ssh_authorized_keys= nothing listens for ssh. */
    @Test
    @Order(9)
    void withoutTheSshKeysNoSshdRunsAndPort22IsClosed() throws Exception {
        assertEquals("inactive", guest.sh1("systemctl is-active ssh.service"));
        assertEquals("0", guest.sh1("ss -Hltn 'sport = :22' | wc -l"));
    }

    /**
     * How the boot went is kept beside the console log (target/analyze-provisioning-*.txt): blame, and the chain to
     * the agent, which runs through the setup after the network is online and containerd is up.
     */
    @Test
    @Order(10)
    void theBootsCriticalChainToTheAgentIsKept() throws Exception {
        String chain = String.join("\n", guest.keepBootAnalysis());
        assertTrue(chain.contains("tink-agent.service @"), chain);
        assertTrue(chain.contains("tink-agent-setup.service @"), chain);
        // The setup waits for both; the chain names whichever of them came last in this boot.
        assertTrue(chain.contains("network-online.target @") || chain.contains("containerd.service @"), chain);
    }

    /**
     * containerd runs on the configuration of its major version (3 for containerd 2, which 1.x refuses; 2 for 1.x,
     * which containerd 2 would only migrate, loading CRI's plugins and failing its pod sandbox controller), and every
     * plugin it loads is up. {@code captain.boot.containerd} names the major version the image must hold (the CI
     * boot of {@code -Dcaptain.tools.suite=sid}).
     */
    @Test
    @Order(11)
    void containerdRunsOnTheConfigurationOfItsVersionWithEveryPluginUp() throws Exception {
        String version = guest.sh1("containerd --version");
        Matcher m = Pattern.compile(" v?(\\d+)\\.\\d+\\.\\d+").matcher(version);
        assertTrue(m.find(), version);
        int major = Integer.parseInt(m.group(1));
        String expected = System.getProperty("captain.boot.containerd", "");
        if (!expected.isBlank()) {
            assertEquals(Integer.parseInt(expected.trim()), major, "the image's containerd: " + version);
        }
        assertEquals(
                "version = " + (major >= 2 ? 3 : 2),
                guest.sh1("grep -m1 '^version' /etc/containerd/config.toml"),
                version);
        // one listing: "<type>.<id> <status>" per plugin, then the exit code
        List<String> plugins = guest.sh("ctr plugins ls | awk 'NR > 1 { print $1 \".\" $2, $NF }'");
        assertEquals("0", plugins.get(plugins.size() - 1), plugins.toString());
        List<String> listed = plugins.subList(0, plugins.size() - 1);
        List<String> notUp = listed.stream()
                .filter(p -> !p.endsWith(" ok") && !p.endsWith(" skip"))
                .toList();
        assertEquals(List.of(), notUp, "plugins not up");
        assertTrue(listed.contains("io.containerd.snapshotter.v1.overlayfs ok"), listed.toString());
        assertTrue(listed.stream().noneMatch(p -> p.contains(".cri")), "CRI is off: " + listed);
    }
}
