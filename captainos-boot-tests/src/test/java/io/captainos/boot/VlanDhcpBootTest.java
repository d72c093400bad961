package io.captainos.boot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.host.HostPrerequisites;
import io.captainos.core.qemu.KernelCommandLine;
import io.captainos.core.qemu.QemuMachine;
import io.captainos.testing.Prerequisite;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DHCP on a VLAN from {@code vlan_id=} without {@code ipam=}: the guest asks on {@code vlan42} over its NIC, and the
 * NIC itself asks for nothing. The DHCP server is Debian's dnsmasq in a network namespace the test creates, serving
 * 192.168.42.0/24 to the VLAN and 192.168.7.0/24 to untagged frames, so an untagged request would be answered too.
 * The switch between them is the test: this host's kernel has neither VLAN links nor VLAN-filtering bridges, so the
 * guest's NIC is a QEMU UDP socket whose frames the test relays, those tagged 42 without their tag to one tap of the
 * namespace and untagged ones to another (socat holds each tap), and the answers back, tagged as they came.
 */
class VlanDhcpBootTest {
    private static final String MAC = "52:54:00:c0:ff:42";
    private static final int VLAN = 42;

    @TempDir
    Path dir;

    @Test
    void theGuestGetsItsAddressOnTheVlanAndTheNicNone() throws Exception {
        for (String program : List.of("ip", "socat", "dnsmasq")) {
            Prerequisite.require(
                    Files.isExecutable(Path.of(HostPrerequisites.locate(program))),
                    program + " is not installed: install iproute2, socat and dnsmasq-base for the VLAN boot test");
        }
        Prerequisite.require(
                "0"
                        .equals(new String(new ProcessBuilder("id", "-u")
                                        .start()
                                        .getInputStream()
                                        .readAllBytes())
                                .trim()),
                "the VLAN boot test creates a network namespace and taps: run it as root");
        try (Switch sw = Switch.start(dir)) {
            QemuMachine.Spec spec = new QemuMachine.Spec(
                    Guest.arch(),
                    Guest.artifact("vmlinuz"),
                    Guest.artifact("initramfs"),
                    KernelCommandLine.build(Guest.arch(), Map.of("vlan_id", "" + VLAN, "hw_addr", MAC), "", ""),
                    null,
                    false,
                    2048,
                    Guest.CPUS,
                    sw.nic());
            try (Guest guest =
                    Guest.boot("vlan-dhcp-" + Guest.arch().linux(), spec).loggedIn()) {
                guest.sh(
                        "timeout 90 sh -c 'until ip -4 -o addr show dev vlan42 | grep -q 192.168.42.; do sleep 1; done'");
                String address = guest.sh1("ip -4 -o addr show dev vlan42");
                assertTrue(address.matches(".*inet 192\\.168\\.42\\.5[0-9]/24 .*dynamic.*"), address);
                assertTrue(guest.sh1("ip -d -o link show vlan42").contains("vlan protocol 802.1Q id 42"));
                String parent = guest.sh1("ip -o link show vlan42 | grep -o 'vlan42@[a-z0-9]*' | cut -d@ -f2");
                assertEquals(MAC, guest.sh1("cat /sys/class/net/" + parent + "/address"));
                assertEquals(
                        "0",
                        guest.sh1("ip -o addr show dev " + parent + " | grep -c inet"),
                        "the NIC keeps no address of its own");
                assertEquals("0", guest.sh1("ip -4 -o addr | grep -c '192\\.168\\.7\\.'"), "no untagged lease");
                assertEquals("default via 192.168.42.1", guest.sh1("ip -4 route show default | cut -d' ' -f1-3"));
                String leases = Files.readString(dir.resolve("leases"));
                assertTrue(leases.contains(MAC + " 192.168.42."), "dnsmasq leased on the VLAN: " + leases);
                assertEquals(0, sw.untaggedDhcp.get(), "the NIC sent DHCP requests untagged");
                assertTrue(sw.tagged.get() > 0);
            }
        }
    }

    /** The switch: a QEMU socket NIC on one side, two taps in a namespace with dnsmasq on the other. */
    private static final class Switch implements AutoCloseable {
        final String namespace = "captain-vlan-" + ProcessHandle.current().pid();
        final List<Process> processes = new ArrayList<>();
        final List<DatagramSocket> sockets = new ArrayList<>();
        final AtomicInteger untaggedDhcp = new AtomicInteger();
        final AtomicInteger tagged = new AtomicInteger();
        DatagramSocket guestSide;
        int qemuPort;

        static Switch start(Path dir) throws Exception {
            Switch sw = new Switch();
            try {
                sw.build(dir);
                return sw;
            } catch (Exception | AssertionError e) {
                sw.close();
                throw e;
            }
        }

        private void build(Path dir) throws Exception {
            run("ip", "netns", "add", namespace);
            guestSide = socket();
            qemuPort = Registry.freePort();
            String suffix = Long.toString(ProcessHandle.current().pid() % 100000);
            DatagramSocket vlanTap = tap("cvl" + suffix, "192.168.42.1/24");
            DatagramSocket plainTap = tap("cun" + suffix, "192.168.7.1/24");
            processes.add(new ProcessBuilder(
                            HostPrerequisites.locate("ip"),
                            "netns",
                            "exec",
                            namespace,
                            HostPrerequisites.locate("dnsmasq"),
                            "--keep-in-foreground",
                            "--port=0",
                            "--no-resolv",
                            "--no-hosts",
                            "--bind-dynamic",
                            "--interface=cvl" + suffix,
                            "--interface=cun" + suffix,
                            "--dhcp-range=192.168.42.50,192.168.42.59,255.255.255.0,1h",
                            "--dhcp-range=192.168.7.50,192.168.7.59,255.255.255.0,1h",
                            "--dhcp-authoritative",
                            "--dhcp-leasefile=" + dir.resolve("leases"),
                            "--pid-file=" + dir.resolve("dnsmasq.pid"),
                            "--log-dhcp",
                            "--log-facility=" + dir.resolve("dnsmasq.log"),
                            "--user=root")
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("dnsmasq.out").toFile())
                    .start());
            InetSocketAddress qemu = new InetSocketAddress(InetAddress.getLoopbackAddress(), qemuPort);
            relay("guest", guestSide, frame -> {
                if (tag(frame) == VLAN) {
                    tagged.incrementAndGet();
                    forward(vlanTap, untag(frame), (InetSocketAddress) vlanTap.getRemoteSocketAddress());
                } else if (tag(frame) < 0) {
                    if (dhcpRequest(frame)) {
                        untaggedDhcp.incrementAndGet();
                    }
                    forward(plainTap, frame, (InetSocketAddress) plainTap.getRemoteSocketAddress());
                }
            });
            relay("vlan", vlanTap, frame -> forward(guestSide, withTag(frame), qemu));
            relay("untagged", plainTap, frame -> forward(guestSide, frame, qemu));
        }

        List<String> nic() {
            return List.of(
                    "-netdev",
                    "socket,id=switched,udp=127.0.0.1:" + guestSide.getLocalPort() + ",localaddr=127.0.0.1:" + qemuPort,
                    "-device",
                    "virtio-net-pci,netdev=switched,mac=" + MAC);
        }

        /** A tap held by socat, moved into the namespace with an address; returns the socket that talks to it. */
        private DatagramSocket tap(String name, String address) throws Exception {
            DatagramSocket side = socket();
            int socatPort = Registry.freePort();
            side.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), socatPort));
            processes.add(new ProcessBuilder(
                            "socat",
                            "-b",
                            "65536",
                            "UDP-DATAGRAM:127.0.0.1:" + side.getLocalPort() + ",bind=127.0.0.1:" + socatPort,
                            "TUN,tun-type=tap,tun-name=" + name + ",iff-no-pi,iff-up")
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start());
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!Files.exists(Path.of("/sys/class/net", name))) {
                assertTrue(System.nanoTime() < deadline, "socat made no tap " + name);
                Thread.sleep(50);
            }
            run("ip", "link", "set", name, "netns", namespace);
            run("ip", "-n", namespace, "addr", "add", address, "dev", name);
            run("ip", "-n", namespace, "link", "set", name, "up");
            return side;
        }

        private DatagramSocket socket() throws SocketException {
            DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress());
            sockets.add(s);
            return s;
        }

        private interface FrameHandler {
            void handle(byte[] frame) throws IOException;
        }

        private static void relay(String name, DatagramSocket from, FrameHandler handler) {
            Thread t = new Thread(
                    () -> {
                        byte[] buffer = new byte[65536];
                        while (!from.isClosed()) {
                            DatagramPacket p = new DatagramPacket(buffer, buffer.length);
                            try {
                                from.receive(p);
                                handler.handle(Arrays.copyOf(p.getData(), p.getLength()));
                            } catch (IOException e) {
                                return;
                            }
                        }
                    },
                    "switch-" + name);
            t.setDaemon(true);
            t.start();
        }

        private static void forward(DatagramSocket via, byte[] frame, InetSocketAddress to) throws IOException {
            via.send(new DatagramPacket(frame, frame.length, to));
        }

        /** The 802.1Q VLAN id of a frame, or -1 when it carries no tag. */
        static int tag(byte[] f) {
            if (f.length < 18 || (f[12] & 0xff) != 0x81 || (f[13] & 0xff) != 0x00) {
                return -1;
            }
            return ((f[14] & 0x0f) << 8) | (f[15] & 0xff);
        }

        static byte[] untag(byte[] f) {
            byte[] out = new byte[f.length - 4];
            System.arraycopy(f, 0, out, 0, 12);
            System.arraycopy(f, 16, out, 12, f.length - 16);
            return out;
        }

        static byte[] withTag(byte[] f) {
            byte[] out = new byte[f.length + 4];
            System.arraycopy(f, 0, out, 0, 12);
            out[12] = (byte) 0x81;
            out[14] = (byte) (VLAN >> 8);
            out[15] = (byte) VLAN;
            System.arraycopy(f, 12, out, 16, f.length - 12);
            return out;
        }

        /** An untagged IPv4 UDP frame to port 67 (a DHCP client's request). */
        static boolean dhcpRequest(byte[] f) {
            if (f.length < 42 || (f[12] & 0xff) != 0x08 || f[13] != 0x00 || f[23] != 17) {
                return false;
            }
            int ihl = (f[14] & 0x0f) * 4;
            int dport = ((f[14 + ihl + 2] & 0xff) << 8) | (f[14 + ihl + 3] & 0xff);
            return dport == 67;
        }

        private static void run(String... command) throws Exception {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
        }

        @Override
        public void close() {
            for (DatagramSocket s : sockets) {
                s.close();
            }
            for (Process p : processes) {
                p.destroy();
            }
            for (Process p : processes) {
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            try {
                new ProcessBuilder("ip", "netns", "del", namespace)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor(30, TimeUnit.SECONDS);
            } catch (IOException e) {
                // nothing to clean
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
