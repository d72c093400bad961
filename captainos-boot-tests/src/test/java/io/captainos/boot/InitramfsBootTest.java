package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.qemu.QemuMachine;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Boots the kernel and initramfs of this build in QEMU (TCG, user-mode network) and checks the OS that runs:
 * multi-user reached with no failed unit, the root a tmpfs, no initrd-release, containerd answering, the NIC with a
 * DHCP address, LLDP both ways on a second NIC whose other end is this test (a UDP socket QEMU carries its frames
 * over), and sshd (asked for with a key on the command line) letting the host's OpenSSH client in with that key
 * only. The console goes to {@code target/console-initramfs-<arch>.log}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InitramfsBootTest {
    /** The MAC of the second NIC, the one plugged into the test's switch port. */
    private static final String SWITCHED_MAC = "52:54:00:12:34:57";

    private static Guest guest;
    /** The switch port: QEMU sends the second NIC's frames here, and delivers what this sends to {@link #qemuPort}. */
    private static DatagramSocket switchPort;

    private static int qemuPort;
    /** The host port QEMU forwards to the guest's port 22. */
    private static int sshPort;
    /** A key pair the test makes: its public half goes to the guest on the command line. */
    private static Path sshKey;
    /** Another key pair, never given to the guest. */
    private static Path otherKey;

    @BeforeAll
    static void boot() throws Exception {
        switchPort = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        try (DatagramSocket probe = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            qemuPort = probe.getLocalPort();
        }
        Path keys = Files.createTempDirectory("captainos-ssh");
        sshKey = keyPair(keys.resolve("operator"));
        otherKey = keyPair(keys.resolve("stranger"));
        sshPort = Registry.freePort();
        List<String> nics = new ArrayList<>(QemuMachine.Spec.userNetwork(sshPort));
        nics.addAll(List.of(
                "-netdev",
                "socket,id=switch,udp=127.0.0.1:" + switchPort.getLocalPort() + ",localaddr=127.0.0.1:" + qemuPort,
                "-device",
                "virtio-net-pci,netdev=switch,mac=" + SWITCHED_MAC));
        QemuMachine.Spec spec = new QemuMachine.Spec(
                Guest.arch(),
                Guest.artifact("vmlinuz"),
                Guest.artifact("initramfs"),
                "console=" + Guest.console(Guest.arch()) + " audit=0"
                        // A malformed static address must not stop the boot: DHCP stays in force.
                        + " ipam=52-54-00-12-34-56:bad"
                        + " sshd=1 ssh_authorized_keys="
                        + Base64.getEncoder().encodeToString(Files.readAllBytes(sshKey.resolveSibling("operator.pub"))),
                null,
                false,
                2048,
                Guest.CPUS,
                nics);
        guest = Guest.boot("initramfs-" + Guest.arch().linux(), spec).loggedIn();
    }

    @AfterAll
    static void stop() {
        if (guest != null) {
            guest.close();
        }
        if (switchPort != null) {
            switchPort.close();
        }
    }

    @Test
    @Order(1)
    void reachesMultiUserWithNoFailedUnit() throws Exception {
        String state = guest.sh1("systemctl is-system-running --wait");
        List<String> failed = guest.sh("systemctl --failed --no-legend --plain --no-pager");
        assertEquals("running", state, "failed units: " + failed);
        assertEquals("multi-user.target", guest.sh1("systemctl get-default"));
    }

    @Test
    @Order(2)
    void theRootIsATmpfsThatContainersCanPivotFromAndNotAnInitrd() throws Exception {
        assertEquals("tmpfs", guest.sh1("stat -f -c %T /"));
        long rootKiB =
                Long.parseLong(guest.sh1("df -k --output=size / | tail -n 1").trim());
        long memKiB = Long.parseLong(guest.sh1("awk '/^MemTotal:/ { print $2 }' /proc/meminfo"));
        assertTrue(
                rootKiB >= memKiB * 85 / 100 && rootKiB <= memKiB * 95 / 100,
                "the root holds " + rootKiB + " KiB of " + memKiB + " KiB RAM, not 90%");
        // What runc does for every container: the kernel refuses it while the root is the initial rootfs.
        assertEquals(
                "pivoted",
                guest.sh1("unshare -m --propagation private sh -c 'mount -t tmpfs new /mnt"
                        + " && mkdir /mnt/old && cd /mnt && pivot_root . old && echo pivoted' 2>&1"));
        assertEquals("1", guest.sh1("test -e /etc/initrd-release"), "/etc/initrd-release must not exist");
        assertEquals("1", guest.sh1("test -e /init"), "/init is removed from the running root");
        assertEquals("captainos", guest.sh1(". /etc/os-release && echo $ID"));
    }

    /**
     * Boot work a machine running from RAM does without never ran: mounts whose parents are tmpfs already or that
     * nothing uses, the units masked for the same reason before them, and rsyslog without a syslog_host; only the
     * generators this OS has a use for run. IPv6 addresses skip duplicate address detection (the wait for it held
     * the network back), on the NICs there at boot and on interfaces made later.
     */
    @Test
    @Order(2)
    void theBootSkipsWorkAMachineInRamDoesNotNeed() throws Exception {
        List<String> units = List.of(
                "tmp.mount",
                "run-lock.mount",
                "dev-mqueue.mount",
                "sys-kernel-config.mount",
                "modprobe@configfs.service",
                "systemd-hwdb-update.service",
                "systemd-sysusers.service",
                "systemd-journal-flush.service",
                "systemd-logind.service",
                "systemd-tpm2-setup-early.service",
                // only forwards, and this boot names no syslog_host
                "rsyslog.service",
                "captainos-syslog-refresh.service");
        // A oneshot that ran leaves the inactive state without ever being active: when it left it, 0 if never.
        List<String> ran = guest.sh("for u in " + String.join(" ", units) + "; do"
                + " [ \"$(systemctl show -p InactiveExitTimestampMonotonic --value $u)\" = 0 ] || echo $u; done");
        assertEquals(List.of("0"), ran, "units that ran, then the exit code");
        assertEquals("not a mount point", guest.sh1("findmnt -n /tmp || echo not a mount point"));
        assertEquals(
                "debug fstab getty run",
                guest.sh1("for g in /usr/lib/systemd/system-generators/*; do n=${g##*/};"
                        + " [ \"$(readlink /etc/systemd/system-generators/$n)\" = /dev/null ] || echo $n;"
                        + " done | sed 's/^systemd-//; s/-generator$//' | paste -sd ' '"),
                "the generators that run");
        String nic = guest.sh1("ip -o link | grep -F 'link/ether 52:54:00:12:34:56 ' | cut -d: -f2 | tr -d ' '");
        assertEquals("0", guest.sh1("cat /proc/sys/net/ipv6/conf/" + nic + "/accept_dad"), nic);
        assertEquals("0", guest.sh1("cat /proc/sys/net/ipv6/conf/all/accept_dad"));
        assertEquals(
                "0",
                guest.sh1("ip link add captain-dad type veth peer name captain-dad1"
                        + " && cat /proc/sys/net/ipv6/conf/captain-dad/accept_dad; ip link del captain-dad"),
                "an interface made at run time");
    }

    /**
     * While the boot's jobs run, the services on the way to the agent weigh 1000 for the processor, the ones off it
     * 20, every other 100: each service is a CPU group of its own (the cpu controller is on below system.slice, which
     * is why Nice= cannot rank them). Every service that ran before sysinit.target is on the way (the setup comes after
     * it), udev's included (networkd waits for it, the agent for its coldplug). rsyslog keeps the default: it forwards
     * the agent's records during provisioning.
     */
    @Test
    @Order(2)
    void theServicesOnThePathToTheAgentGetTheProcessorFirstAtBoot() throws Exception {
        assertTrue(
                List.of(guest.sh1("cat /sys/fs/cgroup/system.slice/cgroup.subtree_control")
                                .split(" "))
                        .contains("cpu"),
                "the cpu controller is on for the services");
        Map<String, String> weights = new LinkedHashMap<>();
        for (String unit : List.of(
                "containerd",
                "systemd-networkd",
                "systemd-networkd-wait-online",
                "tink-agent-setup",
                "captainos-preload")) {
            weights.put(unit, "1000");
        }
        for (String unit : List.of(
                "captainos-banner",
                "acpid",
                "captainos-syslog-refresh",
                "getty@tty1",
                "serial-getty@" + Guest.console(Guest.arch()),
                "ssh")) {
            weights.put(unit, "20");
        }
        List<String> expected = new ArrayList<>();
        weights.forEach((unit, weight) -> expected.add(unit + " " + weight));
        expected.add("0");
        assertEquals(
                expected,
                guest.sh("for u in " + String.join(" ", weights.keySet()) + "; do"
                        + " echo \"$u $(systemctl show -p StartupCPUWeight --value $u.service)\"; done"));
        List<String> sysinit = guest.sh("for u in $(systemctl show -p After --value sysinit.target); do"
                + " case $u in *.service) ;; *) continue ;; esac;"
                + " [ \"$(systemctl show -p ExecMainStartTimestampMonotonic --value $u)\" != 0 ] || continue;"
                + " echo \"$u $(systemctl show -p StartupCPUWeight --value $u)\"; done | sort");
        assertEquals("0", sysinit.remove(sysinit.size() - 1));
        for (String unit : List.of("systemd-journald", "systemd-udevd", "systemd-udev-trigger", "systemd-timesyncd")) {
            assertTrue(sysinit.stream().anyMatch(l -> l.startsWith(unit + ".service ")), unit + " in " + sysinit);
        }
        assertEquals(
                List.of(), sysinit.stream().filter(l -> !l.endsWith(" 1000")).toList(), "weights below 1000");
        // systemd 257 keeps the startup weights once the boot is done: the services' groups still have them.
        assertEquals("running", guest.sh1("systemctl is-system-running --wait"));
        assertEquals("1000", guest.sh1("cat /sys/fs/cgroup/system.slice/containerd.service/cpu.weight"));
        assertEquals("20", guest.sh1("cat /sys/fs/cgroup/system.slice/acpid.service/cpu.weight"));
    }

    /**
     * The coldplug leaves out the events of the buses and drivers themselves, which no rule of the image reads; the
     * modules' events it keeps: 60-block.rules gives the block module's media polling its interval from one.
     */
    @Test
    @Order(2)
    void theColdplugLeavesOutOnlyTheEventsNoRuleReads() throws Exception {
        assertEquals(
                "0",
                guest.sh1("cat /usr/lib/udev/rules.d/*.rules /etc/udev/rules.d/*.rules 2>/dev/null"
                        + " | grep -cE 'SUBSYSTEM==\"[^\"]*(subsystem|drivers)'"),
                "a rule reads the events of buses or drivers");
        assertEquals("2000", guest.sh1("cat /sys/module/block/parameters/events_dfl_poll_msecs"));
        assertEquals("0", guest.sh1("systemctl show -p ExecMainStatus --value systemd-udev-trigger"));
    }

    @Test
    @Order(3)
    void containerdAnswers() throws Exception {
        assertEquals("active", guest.sh1("systemctl is-active containerd"));
        List<String> version = guest.sh("ctr --address /run/containerd/containerd.sock version");
        assertTrue(version.contains("Server:"), version.toString());
        assertEquals("0", version.get(version.size() - 1));
        // overlayfs is the snapshotter containers get; the ones that cannot work on a tmpfs root are not loaded.
        List<String> plugins =
                guest.sh("ctr plugins ls | awk '$1 == \"io.containerd.snapshotter.v1\" { print $2, $4 }'");
        assertTrue(plugins.contains("overlayfs ok"), plugins.toString());
        assertTrue(plugins.stream().noneMatch(p -> p.startsWith("aufs") || p.startsWith("btrfs")), plugins.toString());
    }

    @Test
    @Order(3)
    void lspciNamesTheDevicesFromTheGzippedIdList() throws Exception {
        // the list ships as pci.ids.gz only; without it lspci prints bare numbers ("Device 1af4:1000")
        assertEquals("1", guest.sh1("test -e /usr/share/misc/pci.ids; echo $?"), "the uncompressed list is gone");
        List<String> nic = guest.sh("lspci -mm -d 1af4:1000");
        assertTrue(nic.stream().anyMatch(l -> l.contains("Red Hat, Inc.") && l.contains("Virtio")), nic.toString());
    }

    @Test
    @Order(4)
    void theNicHasADhcpAddressAndResolvConfIsReal() throws Exception {
        List<String> addr = guest.sh("ip -4 -o addr show scope global");
        assertTrue(
                addr.stream().anyMatch(l -> l.contains("inet 10.0.2.15/24") && l.contains("dynamic")), addr.toString());
        List<String> resolv = guest.sh("readlink /etc/resolv.conf; grep -c '^nameserver 10.0.2.3' /etc/resolv.conf");
        assertEquals("../run/systemd/resolve/resolv.conf", resolv.get(0));
        assertEquals("1", resolv.get(1), "containers see the real nameserver, not the stub");
    }

    @Test
    @Order(4)
    void theNicsKeepTheKernelsNamesWithThePredictableOnesBesideThem() throws Exception {
        for (String mac : List.of("52:54:00:12:34:56", SWITCHED_MAC)) {
            String link = guest.sh1("ip -o link | grep -F 'link/ether " + mac + " '");
            assertTrue(link.matches("\\d+: eth\\d+: .*"), "not renamed: " + link);
            assertTrue(
                    link.matches(".* altname en[a-z0-9]+.*"), "the predictable name is an alternative name: " + link);
        }
        // Where the driver is a module, /init loaded it before systemd started (the NICs were there for udev's
        // first events); a built-in driver had nothing to load.
        if (guest.sh1("grep -c '^virtio_net ' /proc/modules").equals("1")) {
            assertEquals(
                    "captainos-init: network drivers for: virtio:d00000001v00001AF4 virtio:d00000001v00001AF4",
                    guest.sh1("dmesg | grep -m1 -o -E 'captainos-init: network drivers for: .*|systemd\\[1\\]'"),
                    "the NICs' driver, loaded before the first line of systemd");
        }
    }

    @Test
    @Order(5)
    void aMalformedIpamIsLoggedAndDhcpStays() throws Exception {
        List<String> log = guest.sh("journalctl -b -u captainos-static-network -o cat --no-pager");
        assertTrue(
                log.stream()
                        .anyMatch(l -> l.contains("\"level\":\"error\"")
                                && l.contains("ignoring ipam=")
                                && l.contains("DHCP stays in force")),
                log.toString());
        assertEquals(
                "0",
                guest.sh("ls /run/systemd/network/ 2>/dev/null | grep -c captainos")
                        .get(0));
    }

    @Test
    @Order(6)
    void forwardingIsOnAndTheRootHasNoPassword() throws Exception {
        assertEquals("1", guest.sh1("cat /proc/sys/net/ipv4/ip_forward"));
        assertEquals("root:", guest.sh1("cut -d: -f1,2 /etc/shadow | grep '^root:'"));
    }

    /**
     * LLDP on every wired link: the OS announces itself to the switch it is plugged into, and keeps what a switch
     * announces even when it is not a router (networkd's default keeps routers only), so {@code networkctl lldp}
     * and the agent see it.
     */
    @Test
    @Order(7)
    void lldpAnnouncesThisMachineAndKeepsTheSwitch() throws Exception {
        byte[] mac = mac(SWITCHED_MAC);
        switchPort.setSoTimeout(1000);
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        byte[] announced = null;
        byte[] buffer = new byte[9000];
        while (announced == null && System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
            try {
                switchPort.receive(p);
            } catch (SocketTimeoutException e) {
                continue;
            }
            byte[] frame = Arrays.copyOf(p.getData(), p.getLength());
            if (frame.length > 14
                    && (frame[12] & 0xff) == 0x88
                    && (frame[13] & 0xff) == 0xcc
                    && Arrays.equals(Arrays.copyOfRange(frame, 6, 12), mac)) {
                announced = frame;
            }
        }
        assertTrue(announced != null, "no LLDP frame from " + SWITCHED_MAC + " reached the switch port in 90 s");
        assertTrue(
                Arrays.equals(Arrays.copyOfRange(announced, 0, 6), mac("01:80:c2:00:00:0e")),
                "sent to the nearest bridge");

        String seen = "";
        InetSocketAddress qemu = new InetSocketAddress(InetAddress.getLoopbackAddress(), qemuPort);
        byte[] lldp = switchFrame();
        for (int i = 0; i < 30 && !seen.contains("test-switch-7"); i++) {
            switchPort.send(new DatagramPacket(lldp, lldp.length, qemu));
            Thread.sleep(1000);
            seen = String.join("\n", guest.sh("networkctl lldp --no-pager"));
        }
        assertTrue(seen.contains("test-switch-7") && seen.contains("port-7"), "networkctl lldp shows: " + seen);
    }

    /**
     * sshd=1 with a key: the host's OpenSSH client logs in as root with that key; another key and passwords are
     * refused; the host keys were made at this boot (the image carries none).
     */
    @Test
    @Order(8)
    void theHostsSshClientLogsInWithTheGivenKeyOnly() throws Exception {
        assertEquals("active", guest.sh1("systemctl is-active ssh.service"));
        Ssh in = ssh(sshKey, "id -u && uname -n");
        assertEquals(0, in.exit(), in.output());
        assertTrue(in.output().startsWith("0\n"), in.output());

        Ssh stranger = ssh(otherKey, "id -u");
        assertEquals(255, stranger.exit(), stranger.output());
        assertTrue(stranger.output().contains("Permission denied (publickey)"), stranger.output());
        Ssh password = ssh(null, "id -u");
        assertEquals(255, password.exit(), password.output());
        assertTrue(password.output().contains("Permission denied (publickey)"), "publickey only: " + password.output());

        long booted = Long.parseLong(guest.sh1("date -d \"$(uptime -s)\" +%s"));
        long made = Long.parseLong(guest.sh1("stat -c %Y /etc/ssh/ssh_host_ed25519_key"));
        assertTrue(made >= booted - 1, "the host key is from this boot: made " + made + ", booted " + booted);
        assertEquals("600", guest.sh1("stat -c %a /root/.ssh/authorized_keys"));
    }

    private record Ssh(int exit, String output) {}

    /** The host's ssh client into the guest; with no key it offers only passwords, without a terminal to type one. */
    private static Ssh ssh(Path key, String command) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "ssh",
                "-p",
                Integer.toString(sshPort),
                "-o",
                "BatchMode=yes",
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
                "-o",
                "ConnectTimeout=60",
                "-o",
                "LogLevel=ERROR",
                "-o",
                "IdentitiesOnly=yes",
                "-F",
                "/dev/null"));
        if (key == null) {
            args.addAll(List.of("-o", "PubkeyAuthentication=no", "-o", "PreferredAuthentications=password"));
        } else {
            args.addAll(List.of("-i", key.toString()));
        }
        args.addAll(List.of("root@127.0.0.1", command));
        Process p = new ProcessBuilder(args).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Ssh(p.waitFor(), out);
    }

    private static Path keyPair(Path key) throws Exception {
        Process p = new ProcessBuilder(
                        "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "boot-test", "-f", key.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ssh-keygen (openssh-client) failed: " + out);
        }
        return key;
    }

    /** An LLDP frame from a switch that announces no capabilities: chassis, port, TTL, system name, end. */
    private static byte[] switchFrame() {
        ByteBuffer b = ByteBuffer.allocate(256);
        b.put(mac("01:80:c2:00:00:0e")).put(mac("02:00:00:00:00:07")).putShort((short) 0x88cc);
        tlv(b, 1, (byte) 7, "test-switch-7-chassis");
        tlv(b, 2, (byte) 7, "port-7");
        b.putShort((short) (3 << 9 | 2)).putShort((short) 120);
        byte[] name = "test-switch-7".getBytes(StandardCharsets.US_ASCII);
        b.putShort((short) (5 << 9 | name.length)).put(name);
        b.putShort((short) 0);
        return Arrays.copyOf(b.array(), Math.max(b.position(), 60));
    }

    private static void tlv(ByteBuffer b, int type, byte subtype, String value) {
        byte[] v = value.getBytes(StandardCharsets.US_ASCII);
        b.putShort((short) (type << 9 | (v.length + 1))).put(subtype).put(v);
    }

    private static byte[] mac(String text) {
        String[] parts = text.split(":");
        byte[] m = new byte[6];
        for (int i = 0; i < 6; i++) {
            m[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return m;
    }
}
